import Core
import Foundation

/// A loopback stand-in for the identity service nginx asks before a browser-facing function runs
/// (`auth_request`): it turns a bearer token into the user id the functions trust.
///
/// Endpoints:
/// - `GET /auth`: nginx's subrequest, with the client's `Authorization` header. No header: 200
///   without `X-User-Id` (an anonymous caller). A token it issued: 200 with `X-User-Id`. Any other
///   token: 401.
/// - `POST /control/tokens?user_id=U`: issues a token for `U`: `{"token": …}`.
package final class IdentityStandIn: @unchecked Sendable {
    private let lock = NSLock()
    private var users: [String: String] = [:]

    package init() {}

    /// A new bearer token that `/auth` maps to `userID`.
    package func issueToken(for userID: String) -> String {
        let token = "idt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        lock.withLock { users[token] = userID }
        return token
    }

    @Sendable package func handle(_ request: ServerRequest) -> ServerAction {
        switch (request.method, request.path) {
        case ("GET", "/auth"):
            guard let authorization = request.headers["Authorization"] else {
                return .respond(HTTPResponse(status: 200))
            }
            let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
            guard let user = lock.withLock({ users[token] }) else { return .respond(HTTPResponse(status: 401)) }
            return .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("X-User-Id", user)])))
        case ("POST", "/control/tokens"):
            guard let user = request.parameter("user_id"), !user.isEmpty else {
                return JSONAnswer.ok(["error": "user_id is required"], status: 400)
            }
            return JSONAnswer.ok(["token": issueToken(for: user)])
        default:
            return JSONAnswer.ok(["error": "no such endpoint"], status: 404)
        }
    }
}
