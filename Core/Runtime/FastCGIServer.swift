import Glibc

/// A FastCGI responder (FastCGI 1.0, role RESPONDER) on a Unix socket: the warm mode behind
/// nginx. Each request's params and stdin are read into the same CGI envelope the per-request
/// mode reads, and answered by the same `FunctionRuntime`, so the handler is built once and its
/// database connection stays open. Requests are served one at a time; run one process per core.
public struct FastCGIServer {
    private let path: String

    /// `path` is the Unix socket to create (an existing file there is replaced).
    public init(path: String) { self.path = path }

    /// Serves until the process is stopped; exits non-zero if the socket cannot be made.
    public func serve(_ runtime: FunctionRuntime) -> Never {
        guard let listener = Self.listen(on: path) else {
            runtime.context.logger.critical("cannot listen for FastCGI", metadata: ["socket": .string(path)])
            exit(1)
        }
        signal(SIGPIPE, SIG_IGN)
        runtime.context.logger.info("serving FastCGI", metadata: ["socket": .string(path)])
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            var connection = Connection(fd: client)
            while let request = connection.nextRequest() {
                var body = BytesSource(request.stdin)
                let output = runtime.answer(Envelope.read(environment: request.params, input: &body, bodyLimit: runtime.bodyLimit))
                guard connection.respond(id: request.id, output: output), request.keepConnection else { break }
            }
            close(client)
        }
    }

    private static func listen(on path: String) -> Int32? {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            close(fd)
            return nil
        }
        chmod(path, 0o666)
        return fd
    }

    /// One request as FastCGI delivers it.
    struct Request {
        let id: UInt16
        let keepConnection: Bool
        var params: [String: String] = [:]
        var stdin: [UInt8] = []
    }

    /// Reads records from one connection and writes answers back.
    struct Connection {
        let fd: Int32
        private var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        enum RecordType: UInt8 {
            case beginRequest = 1, abortRequest = 2, endRequest = 3, params = 4, stdin = 5, stdout = 6, getValues = 9, getValuesResult = 10, unknownType = 11
        }

        /// The next complete request, or nil when the connection ends or breaks the protocol.
        mutating func nextRequest() -> Request? {
            var request: Request?
            var paramBytes: [UInt8] = []
            while true {
                guard let (type, id, content) = readRecord() else { return nil }
                switch RecordType(rawValue: type) {
                case .beginRequest:
                    guard content.count >= 3 else { return nil }
                    let role = UInt16(content[0]) << 8 | UInt16(content[1])
                    if role != 1 {
                        _ = write(endRequest(id: id, status: 0, protocolStatus: 3))  // FCGI_UNKNOWN_ROLE
                        continue
                    }
                    request = Request(id: id, keepConnection: content[2] & 1 == 1)
                    paramBytes = []
                case .params where request?.id == id:
                    if content.isEmpty { request?.params = Self.decodeParams(paramBytes) } else { paramBytes += content }
                case .stdin where request?.id == id:
                    if content.isEmpty { return request }
                    request?.stdin += content
                    if request!.stdin.count > CGIRequest.drainLimit { return nil }
                case .abortRequest:
                    _ = write(endRequest(id: id, status: 0, protocolStatus: 0))
                    request = nil
                case .getValues:
                    _ = write(Self.record(.getValuesResult, id: 0, content: Self.encodeParams(["FCGI_MPXS_CONNS": "0", "FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "1"])))
                default:
                    if RecordType(rawValue: type) == nil {
                        _ = write(Self.record(.unknownType, id: 0, content: [type, 0, 0, 0, 0, 0, 0, 0]))
                    }
                }
            }
        }

        /// Writes the CGI output as STDOUT records and ends the request.
        func respond(id: UInt16, output: [UInt8]) -> Bool {
            var records: [UInt8] = []
            var offset = 0
            while offset < output.count {
                let chunk = Array(output[offset..<min(output.count, offset + 65_535)])
                records += Self.record(.stdout, id: id, content: chunk)
                offset += chunk.count
            }
            records += Self.record(.stdout, id: id, content: [])
            records += endRequest(id: id, status: 0, protocolStatus: 0)
            return write(records)
        }

        private func endRequest(id: UInt16, status: UInt32, protocolStatus: UInt8) -> [UInt8] {
            Self.record(.endRequest, id: id, content: [
                UInt8(status >> 24), UInt8(status >> 16 & 0xff), UInt8(status >> 8 & 0xff), UInt8(status & 0xff), protocolStatus, 0, 0, 0,
            ])
        }

        static func record(_ type: RecordType, id: UInt16, content: [UInt8]) -> [UInt8] {
            let padding = (8 - content.count % 8) % 8
            return [1, type.rawValue, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff), UInt8(padding), 0]
                + content + [UInt8](repeating: 0, count: padding)
        }

        private mutating func readRecord() -> (UInt8, UInt16, [UInt8])? {
            guard fill(8) else { return nil }
            let length = Int(buffer[4]) << 8 | Int(buffer[5])
            let total = 8 + length + Int(buffer[6])
            guard buffer[0] == 1, fill(total) else { return nil }
            let record = (buffer[1], UInt16(buffer[2]) << 8 | UInt16(buffer[3]), Array(buffer[8..<(8 + length)]))
            buffer.removeFirst(total)
            return record
        }

        private mutating func fill(_ count: Int) -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while buffer.count < count {
                let got = read(fd, &chunk, chunk.count)
                if got < 0, errno == EINTR { continue }
                if got <= 0 { return false }
                buffer += chunk[0..<got]
            }
            return true
        }

        private func write(_ bytes: [UInt8]) -> Bool { writeAll(bytes, to: fd) }

        /// Name–value pairs: each length is one byte, or four with the top bit set.
        static func decodeParams(_ bytes: [UInt8]) -> [String: String] {
            var params: [String: String] = [:]
            var index = 0
            func length() -> Int? {
                guard index < bytes.count else { return nil }
                if bytes[index] & 0x80 == 0 {
                    index += 1
                    return Int(bytes[index - 1])
                }
                guard index + 4 <= bytes.count else { return nil }
                let value = Int(bytes[index] & 0x7f) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                index += 4
                return value
            }
            while let nameLength = length(), let valueLength = length(), index + nameLength + valueLength <= bytes.count {
                let name = String(decoding: bytes[index..<(index + nameLength)], as: UTF8.self)
                params[name] = String(decoding: bytes[(index + nameLength)..<(index + nameLength + valueLength)], as: UTF8.self)
                index += nameLength + valueLength
            }
            return params
        }

        static func encodeParams(_ params: [String: String]) -> [UInt8] {
            var bytes: [UInt8] = []
            for (name, value) in params.sorted(by: { $0.key < $1.key }) {
                for length in [name.utf8.count, value.utf8.count] {
                    bytes += length < 128 ? [UInt8(length)] : [UInt8(length >> 24 | 0x80), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
                }
                bytes += Array(name.utf8) + Array(value.utf8)
            }
            return bytes
        }
    }
}
