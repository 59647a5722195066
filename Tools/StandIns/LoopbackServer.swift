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

/// A small HTTP/1.1 server on 127.0.0.1, one thread a connection, with keep-alive: a client may
/// send request after request on one connection, as a relay posting thousands a second does.
/// It is what the provider stand-ins speak through; it never listens beyond loopback.
package final class LoopbackServer: @unchecked Sendable {
    /// How long a kept-alive connection may sit idle (or a request take to arrive) before it is closed.
    private static let idleSeconds = 15
    /// The port it listens on (chosen by the system when 0 was asked for).
    package let port: Int
    private let listener: Int32
    private let handler: @Sendable (ServerRequest) -> ServerAction
    private let lock = NSLock()
    private var isStopped = false
    /// Connections being served, so that stopping can end the idle ones.
    private var connections: Set<Int32> = []

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

    /// Stops accepting connections and ends the kept-alive ones once their current answer is out.
    package func stop() {
        lock.withLock {
            isStopped = true
            for client in connections { shutdown(client, Int32(SHUT_RD)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ isStopped }) { return }
                continue
            }
            guard lock.withLock({ isStopped ? false : connections.insert(client).inserted }) else {
                close(client)
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer {
            lock.withLock { _ = connections.remove(client) }
            close(client)
        }
        var idle = timeval(tv_sec: Self.idleSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &idle, socklen_t(MemoryLayout<timeval>.size))
        // Answers go out at once, not held back by Nagle's algorithm for the client's delayed ACK.
        var noDelay: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var reader = RequestReader(client)
        while let next = reader.next() {
            let response: HTTPResponse
            switch handler(next.request) {
            case .respond(let answer):
                response = answer
            case .delay(let milliseconds, let answer):
                usleep(UInt32(milliseconds) * 1_000)
                response = answer
            case .drop:
                shutdown(client, Int32(SHUT_RDWR))
                return
            }
            let keepAlive = next.keepAlive && !lock.withLock { isStopped }
            guard Self.write(response, keepAlive: keepAlive, to: client), keepAlive else { return }
        }
    }

    private static func write(_ response: HTTPResponse, keepAlive: Bool, to client: Int32) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n"
        for field in response.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return writeAll(Array(head.utf8) + response.body, to: client)
    }
}

/// The stand-in server could not start.
package struct ServerError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
