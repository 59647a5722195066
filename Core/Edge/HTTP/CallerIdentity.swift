import Base

/// How a function learns who is calling: only from what the gateway vouches for.
///
/// On API Gateway the envelope carries the authorizer's subject (`HTTPRequest.caller`). Behind
/// nginx, the header named by `TRUSTED_USER_HEADER` (e.g. `X-User-Id`), which nginx sets after
/// `auth_request` and never passes from the client; it is read from CGI requests only, since on
/// API Gateway every header is the client's. Unset, no header is believed.
package struct CallerIdentity: Sendable {
    /// The longest subject kept, in code points: `owner_id`'s limit.
    package static let limit = 128

    private let trustedHeader: String?

    /// Reads `TRUSTED_USER_HEADER`: a header name, letters, digits and `-`.
    package init(config: Config) throws {
        let name = config.optional("TRUSTED_USER_HEADER")
        if let name, !name.utf8.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            throw ConfigError(variable: "TRUSTED_USER_HEADER", problem: "must be a header name such as X-User-Id")
        }
        trustedHeader = name
    }

    /// `request` with its caller settled for a request that came in `envelope`: the trusted
    /// header's value for CGI, the authorizer's subject otherwise, nil when empty. A subject the
    /// store cannot keep (too long, spaces or control characters) is refused, never shortened.
    func settle(_ request: HTTPRequest, envelope: Envelope) throws -> HTTPRequest {
        var settled = request
        if envelope == .cgi {
            settled.caller = trustedHeader.flatMap { request.headers[$0] }
        }
        guard let caller = settled.caller, !caller.isEmpty else {
            settled.caller = nil
            return settled
        }
        guard BoundedText.length(caller) <= Self.limit, BoundedText.isVisible(caller) else {
            throw APIError(401, "invalid_identity", "The gateway's identity for this caller is not usable.")
        }
        return settled
    }
}
