import Core
import Foundation
import Glibc

/// A request as the stand-in server read it.
package struct ServerRequest: Sendable {
    package let method: String
    package let path: String
    /// Every value of each query parameter, in order (`types[]` repeats).
    package let query: [String: [String]]
    package let headers: HTTPHeaders
    package let body: [UInt8]

    /// The first value of a query parameter.
    package func parameter(_ name: String) -> String? { query[name]?.first }
}

/// What the server does with a request.
package enum ServerAction: Sendable {
    /// Answer now.
    case respond(HTTPResponse)
    /// Answer after a pause: a slow provider.
    case delay(milliseconds: Int, then: HTTPResponse)
    /// Close the connection without answering: a provider that drops connections.
    case drop
}

/// A small HTTP/1.1 server on 127.0.0.1, one thread a connection, one request a connection.
/// It is what the provider stand-ins speak through; it never listens beyond loopback.
package final class LoopbackServer: @unchecked Sendable {
    /// The port it listens on (chosen by the system when 0 was asked for).
    package let port: Int
    private let listener: Int32
    private let handler: @Sendable (ServerRequest) -> ServerAction
    private let stopped = NSLock()
    private var isStopped = false

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    package init(port: Int = 0, handler: @escaping @Sendable (ServerRequest) -> ServerAction) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw ServerError("cannot listen on 127.0.0.1:\(port)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting connections.
    package func stop() {
        stopped.withLock { isStopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if stopped.withLock({ isStopped }) { return }
                continue
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let request = Self.readRequest(client) else { return }
        switch handler(request) {
        case .respond(let response):
            Self.write(response, to: client)
        case .delay(let milliseconds, let response):
            usleep(UInt32(milliseconds) * 1_000)
            Self.write(response, to: client)
        case .drop:
            shutdown(client, Int32(SHUT_RDWR))
        }
    }

    private static func readRequest(_ client: Int32) -> ServerRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var headerEnd = 0
        while true {
            let got = read(client, &chunk, chunk.count)
            guard got > 0, buffer.count < 65_536 else { return nil }
            buffer += chunk[0..<got]
            if let end = buffer.firstRange(of: [13, 10, 13, 10])?.upperBound {
                headerEnd = end
                break
            }
        }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["Content-Length"] ?? "0") ?? 0
        var body = Array(buffer[headerEnd...])
        while body.count < length {
            let got = read(client, &chunk, min(chunk.count, length - body.count))
            guard got > 0 else { return nil }
            body += chunk[0..<got]
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1)
        var query: [String: [String]] = [:]
        if parts.count > 1, let items = URLComponents(string: "/?\(parts[1])")?.queryItems {
            for item in items { query[item.name, default: []].append(item.value ?? "") }
        }
        return ServerRequest(
            method: String(requestLine[0]), path: String(parts.first ?? "/"), query: query, headers: headers, body: body
        )
    }

    private static func write(_ response: HTTPResponse, to client: Int32) {
        var head = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n"
        for field in response.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        _ = writeAll(Array(head.utf8) + response.body, to: client)
    }
}

/// The stand-in server could not start.
package struct ServerError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
