import Base
import Glibc
import Logging

/// A FastCGI responder (FastCGI 1.0, role RESPONDER) on a Unix socket: the warm mode behind
/// nginx. Each request's params and stdin are read as CGI/1.1, whatever the params say, and
/// answered by the same `FunctionRuntime` as the per-request mode, so the handler is built once
/// and its database connection stays open. Requests are served one at a time; run one process
/// per core.
///
/// The socket is mode 0660, in the group `FASTCGI_GROUP` names (else the process's own), and its
/// directory must not be reachable by every user. Every read and write on a connection has a
/// deadline of `FASTCGI_TIMEOUT_MS` (default 5000): a connection that takes longer to deliver a
/// request or to take its answer is closed and logged, and the next one is served.
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
        let bodyLimit = runtime.bodyLimit
        let timeout = Duration.milliseconds(milliseconds)
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            if let reason = Self.serve(
                FastCGIConnection(fd: client), runtime: runtime, bodyLimit: bodyLimit, timeout: timeout)
            {
                logger.warning(
                    "FastCGI connection closed",
                    metadata: ["reason": .string(reason), "timeout_ms": .stringConvertible(milliseconds)])
            }
            close(client)
        }
    }

    /// Answers the requests of one connection until it ends; returns why it was cut short, if it was.
    private static func serve(
        _ connection: FastCGIConnection, runtime: FunctionRuntime, bodyLimit: Int, timeout: Duration
    ) -> String? {
        var connection = connection
        var parser = FastCGIParser(bodyLimit: bodyLimit)
        var deadline = ContinuousClock.now + timeout
        while true {
            switch connection.receive(before: deadline) {
            case .closed: return nil
            case .timedOut: return "timeout"
            case .bytes(let bytes):
                for event in parser.feed(bytes) {
                    switch event {
                    case .failure(let reason):
                        return reason
                    case .reply(let records):
                        guard connection.send(records, before: .now + timeout) else { return "write_failed" }
                    case .request(let request):
                        let output = runtime.answer(reading(request, bodyLimit: bodyLimit))
                        let records =
                            FastCGIRecord.stream(.stdout, id: request.id, output)
                            + FastCGIRecord.endRequest(id: request.id, .requestComplete)
                        guard connection.send(records, before: .now + timeout) else { return "write_failed" }
                        guard request.keepConnection else { return nil }
                        deadline = .now + timeout
                    }
                }
            }
        }
    }

    /// The request as CGI/1.1; a body the parser refused for its size is the envelope's 413.
    private static func reading(_ request: FastCGIParser.Request, bodyLimit: Int) -> Envelope.Reading {
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
        return fd
    }
}
