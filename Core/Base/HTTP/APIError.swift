/// An error that becomes an HTTP answer: a status, a stable snake_case code and a human message.
///
/// The message is shown to the caller, so it never carries a secret, a stack trace or
/// the text of another error.
package struct APIError: Error, Sendable, Equatable {
    package let status: Int
    package let code: String
    package let message: String
    /// Extra headers the answer carries, e.g. `Retry-After` or `Allow`.
    package var headers: HTTPHeaders

    package init(_ status: Int, _ code: String, _ message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    package static func badRequest(_ code: String, _ message: String) -> APIError { APIError(400, code, message) }
    package static func notFound(_ code: String, _ message: String) -> APIError { APIError(404, code, message) }
    package static func conflict(_ code: String, _ message: String) -> APIError { APIError(409, code, message) }
    package static func unprocessable(_ code: String, _ message: String) -> APIError { APIError(422, code, message) }

    /// 405 with the `Allow` header naming the accepted method.
    package static func methodNotAllowed(allowed: HTTPMethod) -> APIError {
        APIError(
            405, "method_not_allowed", "Use \(allowed) for this endpoint.",
            headers: HTTPHeaders([("Allow", allowed.rawValue)]))
    }

    /// A request from outside to a function that runs on a schedule only.
    package static let scheduledOnly = APIError(
        405, "method_not_allowed", "This function runs on a schedule; it answers no request.",
        headers: HTTPHeaders([("Allow", "")]))

    /// 403 for a body naming a user other than the caller the gateway identified.
    package static let identityMismatch = APIError(
        403, "identity_mismatch", "user_id is not the signed-in caller's id; leave it out or send your own.")

    /// 413 for a body over the configured limit.
    package static func payloadTooLarge(limit: Int) -> APIError {
        APIError(413, "payload_too_large", "The request body is larger than \(limit) bytes.")
    }

    /// 500 for anything unexpected; the detail goes to the log, never to the caller.
    package static let internalError = APIError(
        500, "internal_error", "An unexpected error occurred; it has been logged.")

    /// 503 while the database cannot be reached; the caller should retry.
    package static let databaseUnavailable = APIError(
        503, "database_unavailable", "The payment store is unavailable; retry later.",
        headers: HTTPHeaders([("Retry-After", "5")]))
}
