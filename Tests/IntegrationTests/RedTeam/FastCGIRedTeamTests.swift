import Foundation
import Glibc
import Testing

/// Attacks on the warm FastCGI mode from security review issue 12, each against a real function
/// process on its socket: findings 2 (who may connect, whose address counts), 3 (a stalled
/// connection) and 5 (memory an unauthenticated peer can make the process hold).
@Suite struct FastCGIRedTeamTests {
    typealias Client = FastCGIClient

    static let invoiceParams = [
        "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/v1/purchase/invoice",
        "CONTENT_TYPE": "application/json", "REMOTE_ADDR": "127.0.0.1",
    ]

    /// A whole stars-invoice request for `user`.
    static func invoice(id: UInt16, user: Int, keep: Bool = false) -> [UInt8] {
        let body = Array(#"{"user_id":\#(user),"item_id":"hint-pack"}"#.utf8)
        return Client.request(
            id: id, params: invoiceParams.merging(["CONTENT_LENGTH": String(body.count)]) { _, new in new }, body: body,
            keep: keep)
    }

    static func closings(_ function: WarmFunction, reason: String) -> [[String: Any]] {
        function.logLines.filter {
            $0["message"] as? String == "FastCGI connection closed" && $0["reason"] as? String == reason
        }
    }

    // MARK: Finding 2: the socket is open to every local user; a request can claim any address

    @Test func finding2_socketIsForItsOwnerAndTheConfiguredGroupOnly() throws {
        let world = try World()
        let group = try #require(getgrnam("nogroup")).pointee.gr_gid
        let function = try WarmFunction(
            "stars-invoice", environment: world.environment.merging(["FASTCGI_GROUP": "nogroup"]) { _, new in new })
        #expect(function.waitForSocket())
        var status = stat()
        #expect(stat(function.socket, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o660, "mode \(String(status.st_mode & 0o777, radix: 8))")
        #expect(status.st_gid == group, "the socket belongs to FASTCGI_GROUP")
        let client = try Client(path: function.socket)
        defer { client.close() }
        client.send(Self.invoice(id: 1, user: 1))
        #expect(try client.answer(id: 1).hasPrefix("Status: 201 Created\r\n"))
    }

    @Test func finding2_socketInADirectoryEveryUserCanReachIsRefused() throws {
        let world = try World()
        let function = try WarmFunction("stars-invoice", environment: world.environment, directoryMode: 0o755)
        let status = function.exitStatus(within: 10)
        #expect(status != nil && status != 0, "the function does not serve from a directory open to every user")
        #expect(access(function.socket, F_OK) != 0)
        #expect(function.logLines.contains { ($0["message"] as? String)?.contains("FASTCGI_LISTEN") == true })
    }

    @Test func finding2_aFastCGIRequestIsCGIWhateverItsParamsSay() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let function = try WarmFunction("yookassa-webhook", environment: world.environment)
        // No GATEWAY_INTERFACE, and a body that is an API Gateway event claiming YooKassa's address.
        let event: [String: Any] = [
            "version": "2.0", "rawPath": "/api/webhooks/yookassa", "headers": ["content-type": "application/json"],
            "body": #"{"type":"notification","event":"payment.succeeded","object":{"id":"forged"}}"#,
            "isBase64Encoded": false,
            "requestContext": ["http": ["method": "POST", "sourceIp": "185.71.76.5"]],
        ]
        let body = Array(try JSONSerialization.data(withJSONObject: event))
        let client = try Client(path: function.socket)
        defer { client.close() }
        client.send(
            Client.request(
                id: 1,
                params: [
                    "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/webhooks/yookassa",
                    "CONTENT_TYPE": "application/json",
                    "CONTENT_LENGTH": String(body.count), "REMOTE_ADDR": "203.0.113.9",
                ], body: body, keep: false))
        let answer = try client.answer(id: 1)
        #expect(answer.hasPrefix("Status: 403 Forbidden\r\n"), "\(answer)")
        #expect(answer.contains(#""code":"untrusted_source""#))
    }

    // MARK: Finding 3: one stalled connection stops a warm function

    @Test func finding3_aStalledConnectionIsClosedAndOthersAreAnswered() throws {
        let world = try World()
        let function = try WarmFunction(
            "stars-invoice", environment: world.environment.merging(["FASTCGI_TIMEOUT_MS": "1000"]) { _, new in new })
        let stalled = try Client(path: function.socket)
        defer { stalled.close() }
        stalled.send(Array(Client.begin(id: 1, keep: true).prefix(5)))
        usleep(100_000)
        let client = try Client(path: function.socket)
        defer { client.close() }
        let started = Date()
        client.send(Self.invoice(id: 1, user: 1))
        let answer = try client.answer(id: 1)
        let waited = Date().timeIntervalSince(started)
        #expect(answer.hasPrefix("Status: 201 Created\r\n"))
        #expect(waited < 1.0 + 2.0, "answered \(waited) s after the other connection stalled")
        #expect(stalled.closedByServer())
        #expect(Self.closings(function, reason: "timeout").count == 1)
    }

    @Test func keptAliveConnectionsAreServedSideBySideWithoutWaitingOnAnIdleOne() throws {
        let world = try World()
        let function = try WarmFunction(
            "stars-invoice", environment: world.environment.merging(["FASTCGI_TIMEOUT_MS": "3000"]) { _, new in new })
        // Reads give up after 4 s: past the 3 s request timeout, well short of the idle time.
        let first = try Client(path: function.socket, timeout: 4)
        defer { first.close() }
        first.send(Self.invoice(id: 1, user: 11, keep: true))
        #expect(try first.answer(id: 1).hasPrefix("Status: 201 Created\r\n"))
        // `first` stays open and idle, as nginx keeps it; another connection is answered at once.
        let second = try Client(path: function.socket)
        defer { second.close() }
        let started = Date()
        second.send(Self.invoice(id: 1, user: 12, keep: true))
        #expect(try second.answer(id: 1).hasPrefix("Status: 201 Created\r\n"))
        #expect(Date().timeIntervalSince(started) < 1.5, "not held up by the idle connection")
        // Both go on serving requests, in turn.
        for user in 13...16 {
            let client = user.isMultiple(of: 2) ? first : second
            client.send(Self.invoice(id: UInt16(user), user: user, keep: true))
            #expect(try client.answer(id: UInt16(user)).hasPrefix("Status: 201 Created\r\n"))
        }
        #expect(!first.closedByServer(), "an idle kept-alive connection outlives the request timeout")
        #expect(Self.closings(function, reason: "timeout").isEmpty)
    }

    // MARK: Finding 5: unbounded memory

    @Test func finding5_paramsOverTheirLimitCloseTheConnection() throws {
        let world = try World()
        let function = try WarmFunction("stars-invoice", environment: world.environment)
        let client = try Client(path: function.socket)
        defer { client.close() }
        let huge = Client.encode(["HTTP_X_PADDING": String(repeating: "a", count: 4 * 1_048_576)])
        client.send(Client.begin(id: 1, keep: false))
        client.send(Client.records(Client.params, id: 1, huge))
        #expect(client.closedByServer())
        #expect(Self.closings(function, reason: "params_too_large").count == 1)
        #expect(function.peakMemoryKiB < 64 * 1024, "peak \(function.peakMemoryKiB) KiB")
        let next = try Client(path: function.socket)
        defer { next.close() }
        next.send(Self.invoice(id: 1, user: 1))
        #expect(try next.answer(id: 1).hasPrefix("Status: 201 Created\r\n"), "the function still serves")
    }

    @Test func finding5_aBodyOverMaxBodyBytesIsRefusedWith413WithoutBeingHeld() throws {
        let world = try World(["MAX_BODY_BYTES": "2048"])
        let function = try WarmFunction("stars-invoice", environment: world.environment)
        let client = try Client(path: function.socket)
        defer { client.close() }
        // CONTENT_LENGTH says a little; the stream says 48 MiB.
        let params = Self.invoiceParams.merging(["CONTENT_LENGTH": "40"]) { _, new in new }
        client.send(
            Client.begin(id: 1, keep: false) + Client.records(Client.params, id: 1, Client.encode(params))
                + Client.record(Client.params, id: 1))
        let chunk = Client.records(Client.stdin, id: 1, [UInt8](repeating: UInt8(ascii: "a"), count: 1_048_576))
        for _ in 0..<48 { client.send(chunk) }
        client.send(Client.record(Client.stdin, id: 1))
        let answer = try client.answer(id: 1)
        #expect(answer.hasPrefix("Status: 413 "), "\(answer.prefix(200))")
        let body = try #require(answer.range(of: "\r\n\r\n")).upperBound
        let json = try JSONSerialization.jsonObject(with: Data(answer[body...].utf8)) as? [String: Any]
        let error = try #require(json?["error"] as? [String: Any])
        #expect(error["code"] as? String == "payload_too_large")
        #expect((error["request_id"] as? String)?.isEmpty == false)
        #expect(function.peakMemoryKiB < 40 * 1024, "peak \(function.peakMemoryKiB) KiB")
    }

    @Test func finding5_aSecondRequestOnABusyConnectionIsRefusedAndTheFirstAnswered() throws {
        let world = try World()
        let function = try WarmFunction("stars-invoice", environment: world.environment)
        let client = try Client(path: function.socket)
        defer { client.close() }
        let first = Self.invoice(id: 1, user: 1, keep: true)
        let beginLength = 16
        client.send(
            Array(first.prefix(beginLength)) + Client.begin(id: 2, keep: true) + Array(first.dropFirst(beginLength)))
        let records = try client.records(until: [1, 2])
        let refusal = try #require(records.first { $0.type == Client.endRequest && $0.id == 2 })
        #expect(refusal.content[4] == 1, "FCGI_CANT_MPX_CONN")
        let output = String(
            decoding: records.filter { $0.type == Client.stdout && $0.id == 1 }.flatMap(\.content), as: UTF8.self)
        #expect(output.hasPrefix("Status: 201 Created\r\n"))
        #expect(records.filter { $0.id == 2 }.count == 1, "nothing but the refusal for the second id")
    }
}
