import Base

/// CGI/1.1 (RFC 3875): the request comes in the environment and the body on stdin; the answer
/// is a `Status:` line, header lines, a blank line and the body.
enum CGIRequest {
    static func read(
        environment: [String: String], input: inout some ByteSource, bodyLimit: Int
    ) -> Result<HTTPRequest, APIError> {
        let requestID = Envelope.acceptableRequestID(environment["HTTP_X_REQUEST_ID"]) ?? Envelope.makeRequestID()
        var headers = HTTPHeaders()
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("HTTP_") {
            headers.add(String(name.dropFirst(5)).replacingUnderscores.lowercased(), value)
        }
        if let type = environment["CONTENT_TYPE"], !type.isEmpty { headers.add("content-type", type) }

        var length = 0
        if let text = environment["CONTENT_LENGTH"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                return .failure(.badRequest("invalid_content_length", "CONTENT_LENGTH is not a byte count."))
            }
            length = value
            headers.add("content-length", text)
        }
        guard length <= bodyLimit else {
            // The gateway is still writing the body; a CGI program that exits without reading it
            // breaks that pipe and the client sees a 502 instead of this 413.
            Self.discard(min(length, Self.drainLimit), from: &input)
            return .failure(.payloadTooLarge(limit: bodyLimit))
        }
        let body: [UInt8]
        do {
            body = try input.read(upTo: length)
        } catch {
            return .failure(.badRequest("unreadable_body", "The request body could not be read."))
        }
        guard body.count == length else {
            return .failure(.badRequest("truncated_body", "The body ended before CONTENT_LENGTH bytes."))
        }

        let uri = environment["REQUEST_URI"].flatMap { $0.split(separator: "?", maxSplits: 1).first.map(String.init) }
        let path = uri ?? ((environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? ""))
        return .success(
            HTTPRequest(
                method: HTTPMethod(reported: environment["REQUEST_METHOD"] ?? "GET"),
                path: path.isEmpty ? "/" : path,
                query: QueryString.parse(environment["QUERY_STRING"] ?? ""),
                headers: headers,
                body: body,
                clientIP: environment["REMOTE_ADDR"],
                requestID: requestID))
    }

    /// The most of a refused body that is read and thrown away.
    static let drainLimit = 64 * 1_048_576

    private static func discard(_ count: Int, from input: inout some ByteSource) {
        var left = count
        while left > 0, let chunk = try? input.read(upTo: min(left, 65_536)), !chunk.isEmpty { left -= chunk.count }
    }

    static func write(_ response: HTTPResponse) -> [UInt8] {
        var head = "Status: \(response.status) \(HTTPStatus.reason(response.status))\r\n"
        for field in response.headers where !field.name.contains("\n") && !field.value.contains("\n") {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n\r\n"
        return Array(head.utf8) + response.body
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
