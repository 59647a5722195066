/// A request this process sends to a provider's API.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The whole exchange must finish within this many milliseconds; 0 waits without limit.
    public var timeoutMilliseconds: Int

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeoutMilliseconds: Int) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// A provider's answer.
public struct OutboundResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no answer came back.
public enum TransportError: Error, Sendable, Equatable {
    /// The time allowed ran out.
    case timedOut
    /// No connection, or it broke before a whole answer arrived.
    case connectionFailed(String)
    /// Anything else the transport reported.
    case failed(String)
}

/// Sends requests to providers. Adapters depend on this, so tests can point them at loopback.
public protocol HTTPClient {
    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse
}
