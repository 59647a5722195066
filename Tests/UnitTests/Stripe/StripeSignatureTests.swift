import Core
import Testing

@Suite struct StripeSignatureTests {
    static let body = Array(#"{"id":"evt_test_webhook","object":"event"}"#.utf8)
    static let vector = "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
    let verifier = StripeSignature(secrets: ["whsec_test_secret"], toleranceSeconds: 300)

    @Test func providerTestVector() throws {
        #expect(try verifier.verify(header: Self.vector, body: Self.body, now: 1_700_000_100) == 1_700_000_000)
        #expect(
            StripeSignature.header(secret: "whsec_test_secret", timestamp: 1_700_000_000, body: Self.body)
                == Self.vector)
    }

    @Test func rotatedSecretsAndSeveralSignatures() throws {
        let rolling = StripeSignature(secrets: ["whsec_new_secret", "whsec_test_secret"], toleranceSeconds: 300)
        #expect(try rolling.verify(header: Self.vector, body: Self.body, now: 1_700_000_000) == 1_700_000_000)
        let other = StripeSignature.header(secret: "whsec_new_secret", timestamp: 1_700_000_000, body: Self.body)
        let both = Self.vector + ",v1=" + other.split(separator: "=").last!
        #expect(
            try verifier.verify(header: both, body: Self.body, now: 1_700_000_000) == 1_700_000_000, "any v1 may match")
        let wrongFirst =
            "t=1700000000,v1=" + String(repeating: "0", count: 64)
            + ",v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
        #expect(try verifier.verify(header: wrongFirst, body: Self.body, now: 1_700_000_000) == 1_700_000_000)
    }

    @Test(
        arguments: [
            (nil, StripeSignature.Failure.missingHeader),
            ("", .missingHeader),
            ("garbage", .malformedHeader),
            ("v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990", .malformedHeader),
            ("t=abc,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990", .malformedHeader),
            ("t=1700000000", .noV1Signature),
            ("t=1700000000,v0=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990", .noV1Signature),
            ("t=1700000000,v1=not-hex", .noV1Signature),
            ("t=1700000000,v1=" + String(repeating: "a", count: 64), .noMatch),
            ("t=1700000001,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990", .noMatch),
        ] as [(String?, StripeSignature.Failure)])
    func malformedOrWrongHeaders(_ header: String?, _ failure: StripeSignature.Failure) {
        #expect(throws: failure) { try verifier.verify(header: header, body: Self.body, now: 1_700_000_000) }
    }

    @Test func tamperedOrReformattedBodyFails() {
        let tampered = Array(#"{"id":"evt_test_webhook","object":"evenT"}"#.utf8)
        let spaced = Array(#"{"id": "evt_test_webhook", "object": "event"}"#.utf8)
        #expect(throws: StripeSignature.Failure.noMatch) {
            try verifier.verify(header: Self.vector, body: tampered, now: 1_700_000_000)
        }
        #expect(throws: StripeSignature.Failure.noMatch) {
            try verifier.verify(header: Self.vector, body: spaced, now: 1_700_000_000)
        }
        #expect(throws: StripeSignature.Failure.noMatch) {
            try verifier.verify(header: Self.vector, body: Self.body + [0x0a], now: 1_700_000_000)
        }
    }

    @Test func timestampsOutsideTheToleranceFail() throws {
        #expect(throws: StripeSignature.Failure.timestampTooOld(ageSeconds: 301)) {
            try verifier.verify(header: Self.vector, body: Self.body, now: 1_700_000_301)
        }
        #expect(throws: StripeSignature.Failure.timestampInFuture(aheadSeconds: 301)) {
            try verifier.verify(header: Self.vector, body: Self.body, now: 1_699_999_699)
        }
        #expect(
            try verifier.verify(header: Self.vector, body: Self.body, now: 1_700_000_300) == 1_700_000_000,
            "the edge is inside")
        let unchecked = StripeSignature(secrets: ["whsec_test_secret"], toleranceSeconds: 0)
        #expect(
            try unchecked.verify(header: Self.vector, body: Self.body, now: 1_900_000_000) == 1_700_000_000,
            "0 turns the check off")
    }
}
