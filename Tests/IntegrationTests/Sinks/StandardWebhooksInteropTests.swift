import Core
import Foundation
import StandIns
import Testing

/// Our signer and the stand-in's verifier against the official Python `standardwebhooks` package
/// (pinned in deploy/python-tools.txt, installed by scripts/pytools). Without Python or the package
/// these tests fail; they never skip.
@Suite(.serialized) struct StandardWebhooksInteropTests {
    static let oldSecret = "whsec_b2xkIHN0YW5kYXJkIHdlYmhvb2sga2V5"
    static let newSecret = "whsec_bmV3IHN0YW5kYXJkIHdlYmhvb2sgc2lnbmluZyBrZXk="
    static let unknownSecret = "whsec_YSBzZWNyZXQgbm9ib2R5IGNvbmZpZ3VyZWQgaGVyZSE="
    /// Not ASCII throughout, so both sides must sign the same UTF-8 bytes.
    static let body =
        #"{"type":"subscription.updated","timestamp":"2026-12-02T01:00:00Z","data":{"user_id":"u_42","plan":"Pro – годовой ✓"}}"#

    /// Verifies (`op: verify`) or signs (`op: sign`) each case with the reference library; prints
    /// one result a case: `verified`, `refused: <the library's message>` or the signature.
    static let script = """
        import json, sys
        from datetime import datetime, timezone
        from standardwebhooks import Webhook, WebhookVerificationError

        def run(case):
            hook = Webhook(case["secret"])
            if case["op"] == "sign":
                when = datetime.fromtimestamp(case["timestamp"], tz=timezone.utc)
                return hook.sign(case["id"], when, case["body"])
            try:
                hook.verify(case["body"].encode("utf-8"), case["headers"])
                return "verified"
            except WebhookVerificationError as error:
                return "refused: " + str(error)

        print(json.dumps([run(case) for case in json.load(sys.stdin)]))
        """

    static func python(_ cases: [[String: Any]]) throws -> [String] {
        let input = try JSONSerialization.data(withJSONObject: cases)
        let output = try PythonTools.run(script, input: String(decoding: input, as: UTF8.self))
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String], "\(output)")
    }

    static func signed(_ secrets: [String], at timestamp: Int64) throws -> StandardWebhookHeaders {
        try StandardWebhooks.sign(
            id: "msg_interop", timestamp: timestamp, body: Array(body.utf8),
            secrets: try secrets.map(StandardWebhookSecret.init))
    }

    static func verify(_ secret: String, _ body: String, _ headers: StandardWebhookHeaders) -> [String: Any] {
        [
            "op": "verify", "secret": secret, "body": body,
            "headers": Dictionary(uniqueKeysWithValues: headers.fields.map { ($0.name, $0.value) }),
        ]
    }

    @Test func pythonVerifiesWhatWeSignAcrossARotation() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let rotating = try Self.signed([Self.newSecret, Self.oldSecret], at: now)
        let newOnly = try Self.signed([Self.newSecret], at: now)
        let tampered = Self.body.replacingOccurrences(of: "u_42", with: "u_43")
        let results = try Self.python([
            Self.verify(Self.newSecret, Self.body, rotating),
            Self.verify(Self.oldSecret, Self.body, rotating),
            Self.verify(Self.newSecret, Self.body, newOnly),
            Self.verify(Self.oldSecret, Self.body, newOnly),
            Self.verify(Self.newSecret, tampered, rotating),
            Self.verify(Self.oldSecret, tampered, rotating),
            Self.verify(Self.unknownSecret, Self.body, rotating),
            Self.verify(Self.newSecret, Self.body, try Self.signed([Self.newSecret], at: now - 400)),
        ])
        let noMatch = "refused: No matching signature found"
        #expect(
            results == [
                "verified", "verified", "verified", noMatch, noMatch, noMatch, noMatch,
                "refused: Message timestamp too old",
            ])
    }

    @Test func pythonSignsTheSameBytesAndTheStandInAcceptsThem() throws {
        let now = Int64(Date().timeIntervalSince1970)
        func sign(_ secret: String) -> [String: Any] {
            ["op": "sign", "secret": secret, "id": "msg_from_python", "timestamp": now, "body": Self.body]
        }
        let signatures = try Self.python([
            sign(Self.newSecret), sign(Self.oldSecret), sign(Self.unknownSecret),
            sign(DownstreamStandIn.defaultWebhookSecret),
        ])
        for (secret, signature) in zip([Self.newSecret, Self.oldSecret, Self.unknownSecret], signatures) {
            let ours = try StandardWebhooks.sign(
                id: "msg_from_python", timestamp: now, body: Array(Self.body.utf8),
                secrets: [try StandardWebhookSecret(secret)])
            #expect(ours.signature == signature)
        }

        let downstream = try Downstream(receiverSecrets: ["rotating": [Self.oldSecret, Self.newSecret]])
        func deliver(to receiver: String, _ signature: String) throws -> Int {
            let headers = HTTPHeaders([
                (StandardWebhooks.idHeader, "msg_from_python"), (StandardWebhooks.timestampHeader, String(now)),
                (StandardWebhooks.signatureHeader, signature),
            ])
            return try downstream.send("/hooks/\(receiver)", body: Self.body, headers: headers).status
        }
        #expect(try deliver(to: "rotating", signatures[0]) == 204)
        #expect(try deliver(to: "rotating", signatures[1]) == 204)
        #expect(try deliver(to: "rotating", signatures[2]) == 401)
        #expect(try deliver(to: "rotating", signatures[2] + " " + signatures[0]) == 204)
        #expect(try deliver(to: "default", signatures[3]) == 204)
        #expect(try deliver(to: "default", signatures[0]) == 401)
        let received = downstream.standIn.receivedWebhooks
        #expect(received.map(\.verified) == [true, true, false, true, true, false])
        #expect(received.allSatisfy { $0.id == "msg_from_python" && $0.timestamp == now })
        #expect(received[2].failure == .noMatchingSignature)
    }
}
