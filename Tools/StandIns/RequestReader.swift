import Core
import Foundation
import Glibc

/// Reads the requests of one connection in turn, keeping what arrives past one request for the
/// next (a client may send its next request before it has read the last answer).
struct RequestReader {
    /// A request, and whether its client lets the connection stay open after the answer.
    struct Next {
        let request: ServerRequest
        let keepAlive: Bool
    }

    /// The longest head (request line and headers) it reads.
    static let maximumHeadBytes = 65_536

    private let client: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 16_384)

    init(_ client: Int32) { self.client = client }

    /// The next whole request, or nil once the client closed, stayed quiet past the socket's
    /// receive timeout or sent something unreadable.
    mutating func next() -> Next? {
        var headEnd = 0
        while true {
            if let end = buffer.firstRange(of: [13, 10, 13, 10])?.upperBound {
                headEnd = end
                break
            }
            guard buffer.count < Self.maximumHeadBytes, fill() else { return nil }
        }
        var lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard let length = Int(headers["Content-Length"] ?? "0"), length >= 0 else { return nil }
        while buffer.count < headEnd + length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        let parts = requestLine[1].split(separator: "?", maxSplits: 1)
        var query: [String: [String]] = [:]
        if parts.count > 1, let items = URLComponents(string: "/?\(parts[1])")?.queryItems {
            for item in items { query[item.name, default: []].append(item.value ?? "") }
        }
        let request = ServerRequest(
            method: String(requestLine[0]), path: String(parts.first ?? "/"), query: query, headers: headers, body: body
        )
        return Next(
            request: request,
            keepAlive: Self.keepsAlive(version: requestLine.count > 2 ? String(requestLine[2]) : "", headers: headers))
    }

    /// HTTP/1.1 keeps the connection unless told `close`, HTTP/1.0 only when told `keep-alive`; a
    /// chunked body, which this reader does not decode, ends the connection after its answer.
    private static func keepsAlive(version: String, headers: HTTPHeaders) -> Bool {
        guard headers["Transfer-Encoding"] == nil else { return false }
        let connection = (headers["Connection"] ?? "").lowercased()
        return version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
    }

    private mutating func fill() -> Bool {
        let got = read(client, &chunk, chunk.count)
        guard got > 0 else { return false }
        buffer += chunk[0..<got]
        return true
    }
}
