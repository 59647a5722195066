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

    /// The response with what this invocation reports beside it (`Answer`); by default the
    /// response alone. A handler that reports implements this, and `handle` as its response.
    func answer(_ request: HTTPRequest, logger: Logger) throws -> Answer
}

extension Handler {
    package func answer(_ request: HTTPRequest, logger: Logger) throws -> Answer {
        Answer(try handle(request, logger: logger))
    }

    package var method: HTTPMethod { .post }
    package var browserFacing: Bool { false }
}
