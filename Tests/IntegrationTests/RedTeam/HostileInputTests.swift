import Core
import Foundation
import Testing

/// Bodies an attacker or a broken client sends: each gets a clear 4xx and writes nothing.
@Suite struct HostileInputTests {
    static let bodies: [(String, [UInt8])] = [
        ("truncated JSON", Array(#"{"appointment_id":"apt-1","service_slug":"hair"#.utf8)),
        ("not UTF-8", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
        (
            "deeply nested",
            Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        ),
        (
            "deeply nested object",
            Array((String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8)
        ),
        ("NUL bytes", [0x7b, 0x00, 0x00, 0x7d]),
        ("huge number", Array(#"{"user_id":1e999999,"item_id":"hint-pack","update_id":1e999999}"#.utf8)),
        (
            "wrong types",
            Array(#"{"appointment_id":[],"plan_id":{},"user_id":null,"type":7,"id":false,"update_id":"x"}"#.utf8)
        ),
        ("empty", []),
    ]

    @Test(arguments: 0..<bodies.count)
    func everyFunctionRefusesCleanly(_ index: Int) throws {
        let world = try World(["STRIPE_WEBHOOK_TOLERANCE": "0", "YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (label, body) = Self.bodies[index]
        for (name, path) in FunctionTable.routes {
            let make = try #require(FunctionTable.factory(name))
            let event: [String: Any] = [
                "version": "2.0", "rawPath": path, "body": Data(body).base64EncodedString(), "isBase64Encoded": true,
                "headers": [
                    "content-type": "application/json",
                    "stripe-signature": StripeSignature.header(
                        secret: world.stripe.webhookSecret, timestamp: 1_700_000_000, body: body),
                    "x-telegram-bot-api-secret-token": world.telegram.webhookSecret,
                ],
                "requestContext": ["requestId": "hostile", "http": ["method": "POST", "sourceIp": "185.71.76.5"]],
            ]
            var invocation = Invocation(
                environment: world.environment.merging([
                    "STRIPE_WEBHOOK_TOLERANCE": "0", "YOOKASSA_WEBHOOK_VERIFY": "ip",
                ]) { _, new in new })
            invocation.stdin = Array(try JSONSerialization.data(withJSONObject: event))
            let answer = try invocation.run(name: name, makeHandler: make)
            #expect((400..<500).contains(answer.statusCode), "\(name), \(label): \(answer.statusCode) \(answer.body)")
            #expect(answer.errorCode != nil, "\(name), \(label): \(answer.body)")
        }
        #expect(try world.count("SELECT count(*) FROM payments") == 0)
        #expect(try world.count("SELECT count(*) FROM purchases") == 0)
        #expect(try world.count("SELECT count(*) FROM events") == 0)
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
    }

    @Test func oversizedBodyIsRefusedBeforeAnyWork() throws {
        let world = try World()
        let big = String(repeating: "a", count: 1_048_577)
        for (name, path) in FunctionTable.routes {
            let make = try #require(FunctionTable.factory(name))
            let answer = try Invocation.v2(body: big, path: path, environment: world.environment).run(
                name: name, makeHandler: make)
            #expect(answer.statusCode == 413, "\(name)")
            #expect(answer.errorCode == "payload_too_large")
        }
    }
}
