/// An error that becomes an HTTP answer: a status, a stable snake_case code and a human message.
///
/// The message is shown to the caller, so it never carries a secret, a stack trace or
/// the text of another error.
public struct APIError: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let message: String
    /// Extra headers the answer carries, e.g. `Retry-After` or `Allow`.
    public var headers: HTTPHeaders

    public init(_ status: Int, _ code: String, _ message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public static func badRequest(_ code: String, _ message: String) -> APIError { APIError(400, code, message) }
    public static func notFound(_ code: String, _ message: String) -> APIError { APIError(404, code, message) }
    public static func conflict(_ code: String, _ message: String) -> APIError { APIError(409, code, message) }
    public static func unprocessable(_ code: String, _ message: String) -> APIError { APIError(422, code, message) }

    /// 405 with the `Allow` header naming the accepted method.
    public static func methodNotAllowed(allowed: String) -> APIError {
        APIError(405, "method_not_allowed", "Use \(allowed) for this endpoint.", headers: HTTPHeaders([("Allow", allowed)]))
    }

    /// 413 for a body over the configured limit.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(413, "payload_too_large", "The request body is larger than \(limit) bytes.")
    }

    /// 500 for anything unexpected; the detail goes to the log, never to the caller.
    public static let internalError = APIError(500, "internal_error", "An unexpected error occurred; it has been logged.")

    /// 503 while the database cannot be reached; the caller should retry.
    public static let databaseUnavailable = APIError(
        503, "database_unavailable", "The payment store is unavailable; retry later.",
        headers: HTTPHeaders([("Retry-After", "5")]))
}
