/// One HTTP request as every gateway delivers it, after the envelope is taken off.
package struct HTTPRequest: Sendable {
    /// Upper-case method, e.g. `POST`.
    package var method: HTTPMethod
    /// The path without the query string, e.g. `/api/public/payments`.
    package var path: String
    /// Query parameters (the last value wins where a name repeats).
    package var query: [String: String]
    /// Header fields, looked up without regard to case.
    package var headers: HTTPHeaders
    /// The body exactly as received: signatures are computed over these bytes.
    package var body: [UInt8]
    /// The address of the peer as the gateway saw it, if it said.
    package var clientIP: String?
    /// The gateway's request id, or one made up for this request.
    package var requestID: String
    /// Who is calling, as the gateway vouches for it: the subject of its JWT or authorizer on
    /// API Gateway, or the header named by `TRUSTED_USER_HEADER` behind nginx; nil when anonymous.
    /// Never read from the query string or the body.
    package var caller: String?

    package init(
        method: HTTPMethod,
        path: String,
        query: [String: String] = [:],
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        clientIP: String? = nil,
        requestID: String,
        caller: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientIP = clientIP
        self.requestID = requestID
        self.caller = caller
    }
}
