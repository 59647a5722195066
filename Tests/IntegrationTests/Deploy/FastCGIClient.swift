import Core
import Foundation
import Glibc
import Testing

@testable import Edge

/// A FastCGI client written from the specification, independent of the server's own code: the
/// bytes of records, and a connection to a function's socket that never waits longer than its
/// timeout for an answer.
struct FastCGIClient {
    /// One record as it came back from the server.
    struct Record: Equatable {
        let type: UInt8
        let id: UInt16
        let content: [UInt8]
    }

    static let beginRequest: UInt8 = 1, endRequest: UInt8 = 3, params: UInt8 = 4, stdin: UInt8 = 5, stdout: UInt8 = 6

    static func record(_ type: UInt8, id: UInt16, _ content: [UInt8] = []) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [
            1, type, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff),
            UInt8(padding), 0,
        ]
            + content + [UInt8](repeating: 0, count: padding)
    }

    /// Content longer than a record holds, cut into records of one type; no closing empty record.
    static func records(_ type: UInt8, id: UInt16, _ content: [UInt8]) -> [UInt8] {
        stride(from: 0, to: content.count, by: 65_535).flatMap {
            record(type, id: id, Array(content[$0..<min(content.count, $0 + 65_535)]))
        }
    }

    static func begin(id: UInt16, keep: Bool) -> [UInt8] {
        record(beginRequest, id: id, [0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0])
    }

    static func encode(_ params: [String: String]) -> [UInt8] { FastCGIRecord.encodeParams(params) }

    /// A whole request: BEGIN_REQUEST, the params, the body, each stream closed.
    static func request(id: UInt16, params: [String: String], body: [UInt8], keep: Bool) -> [UInt8] {
        begin(id: id, keep: keep) + records(Self.params, id: id, encode(params)) + record(Self.params, id: id)
            + records(stdin, id: id, body) + record(stdin, id: id)
    }

    let fd: Int32

    /// Connects to the socket at `path`, waiting up to 5 s for it to appear; reads give up after
    /// `timeout` seconds.
    init(path: String, timeout: Int = 10) throws {
        for _ in 0..<100 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (i, b) in path.utf8.enumerated() { buffer[i] = b }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if connected == 0 {
                var limit = timeval(tv_sec: timeout, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                self.fd = fd
                return
            }
            Glibc.close(fd)
            usleep(50_000)
        }
        throw POSIXError(.ECONNREFUSED)
    }

    func close() { _ = Glibc.close(fd) }

    /// Writes every byte; false if the server closed the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }

    /// Records until END_REQUEST for every id in `ids`; throws when the server closes the
    /// connection or says nothing for the timeout first.
    func records(until ids: Set<UInt16>) throws -> [Record] {
        var records: [Record] = []
        var pending: [UInt8] = []
        var ended: Set<UInt16> = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while pending.count >= 8, pending.count >= 8 + (Int(pending[4]) << 8 | Int(pending[5])) + Int(pending[6]) {
                let length = Int(pending[4]) << 8 | Int(pending[5])
                let record = Record(
                    type: pending[1], id: UInt16(pending[2]) << 8 | UInt16(pending[3]),
                    content: Array(pending[8..<(8 + length)]))
                pending.removeFirst(8 + length + Int(pending[6]))
                records.append(record)
                if record.type == Self.endRequest { ended.insert(record.id) }
                if ended.isSuperset(of: ids) { return records }
            }
            let got = read(fd, &chunk, chunk.count)
            if got == 0 { throw POSIXError(.ECONNRESET) }
            if got < 0 { throw POSIXError(errno == EAGAIN ? .ETIMEDOUT : .EIO) }
            pending += chunk[0..<got]
        }
    }

    /// The CGI output (STDOUT) of request `id` once it has ended.
    func answer(id: UInt16) throws -> String {
        String(
            decoding: try records(until: [id]).filter { $0.type == Self.stdout && $0.id == id }.flatMap(\.content),
            as: UTF8.self)
    }

    /// True when the server closes the connection within the timeout, whatever it sends first.
    func closedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let got = read(fd, &chunk, chunk.count)
            if got == 0 { return true }
            if got < 0 { return errno == ECONNRESET }
        }
    }
}
