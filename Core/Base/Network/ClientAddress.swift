/// Works out who is really calling: the gateway's peer address, or, when that peer is one of
/// the configured trusted proxies, the nearest untrusted address in `X-Forwarded-For`.
package struct ClientAddress: Sendable {
    private let trustedProxies: [IPNetwork]

    package init(trustedProxies: [IPNetwork]) { self.trustedProxies = trustedProxies }

    /// The caller's address, or nil when it cannot be told (no peer, or a malformed entry).
    package func resolve(_ request: HTTPRequest) -> IPAddress? {
        guard let peerText = request.clientIP, var current = IPAddress(peerText) else { return nil }
        guard trustedProxies.contains(current) else { return current }
        let hops = request.headers.values("X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingSpaces }
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return nil }
            current = address
            if !trustedProxies.contains(address) { return address }
        }
        return current
    }
}
