import Core
import Testing

@Suite struct StandardWebhooksTests {
    /// The Svix documentation's vector, from the provider facts.
    static let svixSecret = "whsec_plJ3nmyCDGBKInavdOK15jsl"
    static let svixID = "msg_loFOjxBNrRLzqYUf"
    static let svixTimestamp: Int64 = 1_731_705_121
    static let svixBody = Array(#"{"event_type":"ping","data":{"success":true}}"#.utf8)
    static let svixSignature = "v1,rAvfW3dJ/X/qxhsaXPOyyCGmRKsaKWcsNccKXlIktD0="
    /// Bytes 0 to 31, and its signature of the Svix message computed with Python's hmac module.
    static let countingSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let countingSignature = "v1,e15DzZpmxa+EKd0Z0UqevqoJ8wTL7KVwA8atSKPTZ5Y="

    static func svix(_ secrets: [String], id: String = svixID) throws -> StandardWebhookHeaders {
        try StandardWebhooks.sign(
            id: id, timestamp: svixTimestamp, body: svixBody, secrets: try secrets.map(StandardWebhookSecret.init))
    }

    @Test func svixTestVector() throws {
        let headers = try Self.svix([Self.svixSecret])
        #expect(headers.id == Self.svixID)
        #expect(headers.timestamp == "1731705121")
        #expect(headers.signature == Self.svixSignature)
        #expect(
            Array(headers.fields).map { "\($0.name): \($0.value)" } == [
                "webhook-id: msg_loFOjxBNrRLzqYUf", "webhook-timestamp: 1731705121",
                "webhook-signature: v1,rAvfW3dJ/X/qxhsaXPOyyCGmRKsaKWcsNccKXlIktD0=",
            ])
    }

    @Test func oneSignatureASecretSpaceSeparatedInOrder() throws {
        #expect(try Self.svix([Self.countingSecret]).signature == Self.countingSignature)
        #expect(
            try Self.svix([Self.countingSecret, Self.svixSecret]).signature
                == Self.countingSignature + " " + Self.svixSignature)
    }

    @Test func theSignatureCoversIDTimestampAndEveryBodyByte() throws {
        let secret = [try StandardWebhookSecret(Self.svixSecret)]
        let signatures = try [
            StandardWebhooks.sign(id: "msg_other", timestamp: Self.svixTimestamp, body: Self.svixBody, secrets: secret),
            StandardWebhooks.sign(
                id: Self.svixID, timestamp: Self.svixTimestamp + 1, body: Self.svixBody, secrets: secret),
            StandardWebhooks.sign(
                id: Self.svixID, timestamp: Self.svixTimestamp, body: Self.svixBody + [0x0a], secrets: secret),
            StandardWebhooks.sign(id: Self.svixID, timestamp: Self.svixTimestamp, body: [], secrets: secret),
        ].map(\.signature)
        #expect(Set(signatures + [Self.svixSignature]).count == 5)
    }

    @Test(
        arguments: [
            ("", StandardWebhooks.Failure.emptyID),
            ("msg.1", .idContainsDot),
            (".", .idContainsDot),
            ("msg 1", .idNotVisibleASCII),
            ("msg_1\r\nX-Injected: 1", .idNotVisibleASCII),
            ("msg_é", .idNotVisibleASCII),
        ])
    func badIDsAreRefused(_ id: String, _ failure: StandardWebhooks.Failure) {
        #expect(throws: failure) { try Self.svix([Self.svixSecret], id: id) }
    }

    @Test func signingNeedsASecret() {
        #expect(throws: StandardWebhooks.Failure.noSecrets) { try Self.svix([]) }
    }

    @Test func secretKeyIsTheDecodedBase64() throws {
        #expect(try StandardWebhookSecret(Self.countingSecret).key == Array(0..<32))
        #expect(try StandardWebhookSecret(Self.svixSecret).key.count == 18)
        #expect(
            try StandardWebhookSecret("whsec_AAECAwQFBgcICQoLDA0ODw==").key == Array(0..<16), "16 bytes is the floor")
    }

    @Test(
        arguments: [
            ("plJ3nmyCDGBKInavdOK15jsl", StandardWebhookSecret.Failure.missingPrefix),
            ("WHSEC_plJ3nmyCDGBKInavdOK15jsl", .missingPrefix),
            ("whsec_", .tooShort(keyBytes: 0)),
            ("whsec_AAECAwQFBgcICQoLDA0O", .tooShort(keyBytes: 15)),
            ("whsec_AAECAwQFBgcICQoLDA0ODw", .notBase64),
            ("whsec_AAECAwQFBgcICQoLDA0ODx==", .notBase64),
            ("whsec_AAECAwQFBgcICQoLDA0ODw==\n", .notBase64),
            ("whsec_ plJ3nmyCDGBKInavdOK15jsl", .notBase64),
            ("whsec_plJ3nmyCDGBKInavdOK15js-", .notBase64),
            ("whsec_plJ3nmyCDGBKInavdOK15js_", .notBase64),
            ("whsec_plJ3nmyCDGBKInavdOK15js!", .notBase64),
        ])
    func malformedSecretsAreRefused(_ text: String, _ failure: StandardWebhookSecret.Failure) {
        #expect(throws: failure) { try StandardWebhookSecret(text) }
    }

    @Test func recommendedLengthIsTwentyFourToSixtyFourBytes() throws {
        #expect(throws: StandardWebhookSecret.Failure.outsideRecommendedLength(keyBytes: 18)) {
            try StandardWebhookSecret(Self.svixSecret).checkRecommendedLength()
        }
        try StandardWebhookSecret(Self.countingSecret).checkRecommendedLength()
        let longest =
            "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
        try StandardWebhookSecret(longest).checkRecommendedLength()
        let tooLong =
            "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A="
        #expect(throws: StandardWebhookSecret.Failure.outsideRecommendedLength(keyBytes: 65)) {
            try StandardWebhookSecret(tooLong).checkRecommendedLength()
        }
    }

    @Test func descriptionNeverShowsTheKey() throws {
        let secret = try StandardWebhookSecret(Self.svixSecret)
        #expect("\(secret)" == "whsec_… (18 bytes)")
        #expect(!String(reflecting: secret).contains("plJ3"))
    }
}
