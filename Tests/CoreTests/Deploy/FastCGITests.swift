@testable import Core
import Foundation
import Glibc
import Testing

/// The function executable as a long-lived FastCGI responder (`FASTCGI_LISTEN`).
@Suite struct FastCGITests {
    typealias Connection = FastCGIServer.Connection

    /// A FastCGI client: one request's records, sent on an open socket; returns the CGI output.
    static func request(_ fd: Int32, id: UInt16, params: [String: String], body: [UInt8], keep: Bool) throws -> String {
        var bytes = Connection.record(.beginRequest, id: id, content: [0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0])
        bytes += Connection.record(.params, id: id, content: Connection.encodeParams(params)) + Connection.record(.params, id: id, content: [])
        if !body.isEmpty { bytes += Connection.record(.stdin, id: id, content: body) }
        bytes += Connection.record(.stdin, id: id, content: [])
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        var output: [UInt8] = []
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while pending.count >= 8, pending.count >= 8 + (Int(pending[4]) << 8 | Int(pending[5])) + Int(pending[6]) {
                let length = Int(pending[4]) << 8 | Int(pending[5])
                let type = pending[1]
                let content = Array(pending[8..<(8 + length)])
                pending.removeFirst(8 + length + Int(pending[6]))
                if type == 6 { output += content }
                if type == 3 { return String(decoding: output, as: UTF8.self) }
            }
            let got = read(fd, &chunk, chunk.count)
            guard got > 0 else { throw POSIXError(.ECONNRESET) }
            pending += chunk[0..<got]
        }
    }

    static func connect(_ path: String) throws -> Int32 {
        for _ in 0..<100 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in for (i, b) in path.utf8.enumerated() { buffer[i] = b } }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if connected == 0 { return fd }
            close(fd)
            usleep(50_000)
        }
        throw POSIXError(.ECONNREFUSED)
    }

    @Test func oneProcessAnswersManyRequestsOnOneDatabaseConnection() throws {
        let world = try World()
        let socketPath = "/tmp/payfn-fcgi-\(UUID().uuidString.prefix(8)).sock"
        let process = try Processes.spawn("stars-invoice", environment: world.environment.merging(["FASTCGI_LISTEN": socketPath]) { _, new in new })
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); unlink(socketPath) }
        let params = ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/v1/purchase/invoice",
                      "CONTENT_TYPE": "application/json", "REMOTE_ADDR": "127.0.0.1"]
        func invoice(_ user: Int) -> ([String: String], [UInt8]) {
            let body = Array(#"{"user_id":\#(user),"item_id":"hint-pack"}"#.utf8)
            return (params.merging(["CONTENT_LENGTH": String(body.count)]) { _, new in new }, body)
        }
        let fd = try Self.connect(socketPath)
        let (firstParams, firstBody) = invoice(1)
        let first = try Self.request(fd, id: 1, params: firstParams, body: firstBody, keep: true)
        #expect(first.hasPrefix("Status: 201 Created\r\n"), "\(first)")
        let (secondParams, secondBody) = invoice(1)
        let second = try Self.request(fd, id: 2, params: secondParams, body: secondBody, keep: false)
        #expect(second.hasPrefix("Status: 200 OK\r\n"), "the same purchase, reused")
        close(fd)
        let other = try Self.connect(socketPath)
        defer { close(other) }
        let (thirdParams, thirdBody) = invoice(2)
        #expect(try Self.request(other, id: 1, params: thirdParams, body: thirdBody, keep: false).hasPrefix("Status: 201 Created\r\n"))
        let (_, tooBigBody) = invoice(3)
        let refused = try Self.request(try Self.connect(socketPath), id: 7, params: params.merging(["CONTENT_LENGTH": "9999999"]) { _, new in new },
                                       body: tooBigBody, keep: false)
        #expect(refused.hasPrefix("Status: 413"))

        let connections = try PGConnection(url: world.databaseURL).query(
            "SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = 'stars-invoice' AND datname = current_database()")
        #expect(try connections.first?.int("count") == 1, "one warm connection for every request")
        #expect(try world.count("SELECT count(*) FROM purchases") == 2)
    }
}
