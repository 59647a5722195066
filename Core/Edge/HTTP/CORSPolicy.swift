import Base

/// Which browser origins may call the browser-facing functions (`CORS_ALLOWED_ORIGINS`:
/// comma-separated exact origins such as `https://shop.example`, or `*` when set so). An allowed
/// origin is echoed back with `Vary: Origin`; any other origin gets no CORS header, so the browser
/// keeps the answer from the page. Webhook routes never answer CORS.
package struct CORSPolicy: Sendable {
    private let origins: Set<String>
    private let anyOrigin: Bool

    /// The request headers a page may send.
    static let allowedHeaders = "Content-Type, Authorization, Idempotency-Key"
    /// The answer headers a page may read.
    static let exposedHeaders = "X-Request-Id, Idempotent-Replayed, Retry-After"
    /// How long a browser may keep a preflight's answer, in seconds.
    static let maxAge = "600"

    /// The policy from `CORS_ALLOWED_ORIGINS`; unset allows no origin.
    package init(config: Config) throws {
        var origins: Set<String> = []
        var anyOrigin = false
        for entry in (config.optional("CORS_ALLOWED_ORIGINS") ?? "").split(separator: ",") {
            let origin = String(entry).trimmingSpaces
            if origin == "*" {
                anyOrigin = true
            } else if let normalized = Self.origin(origin) {
                origins.insert(normalized)
            } else if !origin.isEmpty {
                throw ConfigError(
                    variable: "CORS_ALLOWED_ORIGINS",
                    problem: "must list origins like https://shop.example (scheme, host, optional port; no path), or *")
            }
        }
        self.origins = origins
        self.anyOrigin = anyOrigin
    }

    /// The value of `Access-Control-Allow-Origin` for a request from `origin`, or nil.
    func allowed(_ origin: String?) -> String? {
        guard let origin else { return nil }
        if anyOrigin { return "*" }
        return Self.origin(origin).flatMap { origins.contains($0) ? origin : nil }
    }

    /// The 204 answer to a preflight `OPTIONS` for an endpoint that accepts `method`; `decorate`
    /// adds the origin.
    func preflight(origin: String?, method: HTTPMethod) -> HTTPResponse {
        var response = HTTPResponse(status: 204)
        if allowed(origin) != nil {
            response.headers.add("Access-Control-Allow-Methods", "\(method), OPTIONS")
            response.headers.add("Access-Control-Allow-Headers", Self.allowedHeaders)
            response.headers.add("Access-Control-Max-Age", Self.maxAge)
        }
        return response
    }

    /// Adds the CORS headers to any answer (a preflight's, an error's) for a request from `origin`.
    func decorate(_ response: inout HTTPResponse, origin: String?) {
        if let allowed = allowed(origin) {
            response.headers.set("Access-Control-Allow-Origin", allowed)
            response.headers.set("Access-Control-Expose-Headers", Self.exposedHeaders)
        }
        response.headers.set("Vary", "Origin")
    }

    /// `scheme://host[:port]` lower-cased, or nil for anything else (a path, a query, user info,
    /// spaces, a scheme other than http or https).
    static func origin(_ text: String) -> String? {
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst(7)
        } else {
            return nil
        }
        guard !rest.isEmpty,
            rest.utf8.allSatisfy({
                ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                    || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
            })
        else { return nil }
        return lowered
    }
}
