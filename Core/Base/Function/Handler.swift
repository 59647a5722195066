import Logging

/// One endpoint's logic: a plain value built once per process with its dependencies, then
/// asked to answer each request. Throwing an `APIError`, `ConfigError` or `StoreError` gives the
/// matching error answer; anything else becomes a logged 500.
package protocol Handler {
    /// The HTTP method the endpoint accepts; others get 405.
    var method: HTTPMethod { get }

    /// Whether pages in a browser call it: then the runtime answers CORS preflights and adds the
    /// CORS headers of `CORS_ALLOWED_ORIGINS`. Webhook endpoints are not.
    var browserFacing: Bool { get }

    /// Answers one request. `logger` already carries the request id.
    func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse
}

extension Handler {
    package var method: HTTPMethod { .post }
    package var browserFacing: Bool { false }
}
