/// A request this process sends to a provider's API.
package struct OutboundRequest: Sendable {
    package var method: HTTPMethod
    package var url: String
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The whole exchange must finish within this many milliseconds; 0 waits without limit.
    package var timeoutMilliseconds: Int

    package init(
        method: HTTPMethod, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        timeoutMilliseconds: Int
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
