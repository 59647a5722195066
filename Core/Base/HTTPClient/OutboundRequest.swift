/// A request this process sends to a provider's API.
package struct OutboundRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The whole exchange must finish within this many milliseconds; 0 waits without limit.
    package var timeoutMilliseconds: Int

    package init(
        method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeoutMilliseconds: Int
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// A provider's answer.
package struct OutboundResponse: Sendable {
    package let status: Int
    package let headers: HTTPHeaders
    package let body: [UInt8]

    package init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no answer came back.
package enum TransportError: Error, Sendable, Equatable {
    /// The time allowed ran out.
    case timedOut
    /// No connection, or it broke before a whole answer arrived.
    case connectionFailed(String)
    /// Anything else the transport reported.
    case failed(String)
}

/// Sends requests to providers. Adapters depend on this, so tests can point them at loopback.
package protocol HTTPClient {
    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse
}
