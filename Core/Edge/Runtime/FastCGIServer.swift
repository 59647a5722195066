import Base
import Glibc
import Logging

/// A FastCGI responder (FastCGI 1.0, role RESPONDER) on a Unix socket: the warm mode behind
/// nginx. Each request's params and stdin are read as CGI/1.1, whatever the params say, and
/// answered by the same `FunctionRuntime` as the per-request mode, so the handler is built once
/// and its database connection stays open. Requests are served one at a time, from any of the
/// connections the process holds (nginx's kept-alive ones, `fastcgi_keep_conn on`, and new
/// ones), whichever has a whole request first; run a few processes per core.
///
/// The socket is mode 0660, in the group `FASTCGI_GROUP` names (else the process's own), and its
/// directory must not be reachable by every user. Every read and write on a connection has a
/// deadline of `FASTCGI_TIMEOUT_MS` (default 5000): a connection that takes longer to deliver a
/// request or to take its answer is closed and logged, and the others are served meanwhile. A
/// kept-alive connection may wait idle for 75 s.
package struct FastCGIServer {
    private let path: String

    /// `path` is the Unix socket to create (an existing file there is replaced).
    package init(path: String) { self.path = path }

    /// Serves until the process is stopped; exits non-zero if the socket cannot be made as
    /// configured.
    package func serve(_ runtime: FunctionRuntime) -> Never {
        let logger = runtime.context.logger
        let milliseconds: Int
        let listener: Int32
        do {
            milliseconds = try runtime.context.config.integer("FASTCGI_TIMEOUT_MS", default: 5_000, in: 100...600_000)
            listener = try Self.listen(on: path, group: runtime.context.config.optional("FASTCGI_GROUP"))
        } catch {
            logger.critical("cannot serve FastCGI: \(error)", metadata: ["socket": .string(path)])
            exit(1)
        }
        logger.info("serving FastCGI", metadata: ["socket": .string(path)])
        let timeout = Duration.milliseconds(milliseconds)
        var slots: [Slot] = []
        while true {
            Self.wait(for: &slots, listener: listener)
            // Every connection waiting in the backlog joins this turn: taking one a turn would
            // leave the newest requests behind as many turns as connections were waiting, each
            // turn serving every connection with a request.
            while slots.count < Self.maxConnections {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { break }
                slots.append(Slot(FastCGIConnection(fd: client), runtime: runtime, timeout: timeout))
            }
            let now = ContinuousClock.now
            var ended: [Int] = []
            for index in slots.indices {
                guard let end = slots[index].serve(runtime: runtime, timeout: timeout, now: now) else { continue }
                if case .cut(let reason) = end {
                    logger.warning(
                        "FastCGI connection closed",
                        metadata: ["reason": .string(reason), "timeout_ms": .stringConvertible(milliseconds)])
                }
                close(slots[index].connection.fd)
                ended.append(index)
            }
            for index in ended.reversed() { slots.remove(at: index) }
        }
    }

    /// Connections one process holds at most: nginx's kept-alive ones and new ones. At the cap the
    /// listener is left alone until one closes, and new connections wait in its backlog.
    static let maxConnections = 256

    /// How long a kept-alive connection may wait idle for its next request: longer than nginx's
    /// upstream `keepalive_timeout` (60 s by default), so nginx, not this process, closes it, and
    /// never reuses a connection this process has just closed.
    static let idle = Duration.seconds(75)

    /// Waits until the listener or a connection is readable, or the nearest deadline passes.
    private static func wait(for slots: inout [Slot], listener: Int32) {
        var descriptors = slots.map { pollfd(fd: $0.connection.fd, events: Int16(POLLIN), revents: 0) }
        if slots.count < maxConnections { descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
        let nearest = slots.map(\.deadline).min().map { ContinuousClock.now.duration(to: $0).components }
        let milliseconds = nearest.map { max(0, $0.seconds * 1000 + $0.attoseconds / 1_000_000_000_000_000 + 1) } ?? -1
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: milliseconds))
        for index in slots.indices { slots[index].readable = descriptors[index].revents != 0 }
    }

    /// One connection and where its requests stand: the parser's state, and its deadline (the
    /// request timeout while a request arrives, the idle time between kept-alive requests).
    private struct Slot {
        /// Why a connection ended.
        enum End {
            /// It closed, or asked to be closed after its request.
            case done
            /// It was cut short: a timeout, a refused record, a failed write.
            case cut(String)
        }

        var connection: FastCGIConnection
        var parser: FastCGIParser
        var deadline: ContinuousClock.Instant
        /// Whether part of a request has arrived and the rest is awaited.
        var busy = false
        /// Whether `poll` said it has something to read.
        var readable = true

        init(_ connection: FastCGIConnection, runtime: FunctionRuntime, timeout: Duration) {
            self.connection = connection
            parser = FastCGIParser(bodyLimit: runtime.bodyLimit)
            deadline = .now + timeout
        }

        /// How a connection with nothing to read stands at `now`: cut short when a request it
        /// began is overdue, done when it idled out, nil while it may still send.
        private func expiry(at now: ContinuousClock.Instant) -> End? {
            now >= deadline ? (busy ? .cut("timeout") : .done) : nil
        }

        /// Reads what has arrived and answers every whole request in it, one at a time; returns
        /// how the connection ended, or nil while it goes on.
        mutating func serve(runtime: FunctionRuntime, timeout: Duration, now: ContinuousClock.Instant) -> End? {
            guard readable else { return expiry(at: now) }
            switch connection.receive(before: now) {
            case .closed:
                return .done
            case .timedOut:
                return expiry(at: now)
            case .bytes(let bytes):
                if !busy {
                    busy = true
                    deadline = now + timeout
                }
                for event in parser.feed(bytes) {
                    switch event {
                    case .failure(let reason):
                        return .cut(reason)
                    case .reply(let records):
                        guard connection.send(records, before: .now + timeout) else { return .cut("write_failed") }
                    case .request(let request):
                        let output = runtime.answer(FastCGIServer.reading(request, bodyLimit: runtime.bodyLimit))
                        let records =
                            FastCGIRecord.stream(.stdout, id: request.id, output)
                            + FastCGIRecord.endRequest(id: request.id, .requestComplete)
                        guard connection.send(records, before: .now + timeout) else { return .cut("write_failed") }
                        guard request.keepConnection else { return .done }
                        busy = false
                        deadline = .now + FastCGIServer.idle
                    }
                }
                return nil
            }
        }
    }

    /// The request as CGI/1.1; a body the parser refused for its size is the envelope's 413.
    fileprivate static func reading(_ request: FastCGIParser.Request, bodyLimit: Int) -> Envelope.Reading {
        guard !request.bodyTooLarge else {
            return Envelope.Reading(envelope: .cgi, result: .failure(.payloadTooLarge(limit: bodyLimit)))
        }
        var body = BytesSource(request.stdin)
        return Envelope.readCGI(environment: request.params, input: &body, bodyLimit: bodyLimit)
    }

    private static func listen(on path: String, group: String?) throws -> Int32 {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw ConfigError(variable: "FASTCGI_LISTEN", problem: "is in a directory that does not exist")
        }
        guard status.st_mode & 0o007 == 0 else {
            throw ConfigError(
                variable: "FASTCGI_LISTEN",
                problem: "is in a directory every user can reach; give the directory mode 0750 or tighter")
        }
        let groupID = try group.map { name in
            guard let entry = getgrnam(name) else {
                throw ConfigError(variable: "FASTCGI_GROUP", problem: "names no group")
            }
            return entry.pointee.gr_gid
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ConfigError(variable: "FASTCGI_LISTEN", problem: "is too long for a socket path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        // The socket is born 0600, so no other user can connect before its mode is set.
        let mask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(mask)
        guard fd >= 0, bound == 0, Glibc.listen(fd, 128) == 0 else {
            close(fd)
            throw ConfigError(variable: "FASTCGI_LISTEN", problem: "cannot be listened on")
        }
        if let groupID, chown(path, uid_t.max, groupID) != 0 {
            throw ConfigError(variable: "FASTCGI_GROUP", problem: "is not a group this process may give the socket to")
        }
        chmod(path, 0o660)
        // Accepting never blocks: the loop polls the listener with the connections it holds.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }
}
