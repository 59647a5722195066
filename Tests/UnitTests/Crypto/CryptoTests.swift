import Core
import Testing

@Suite struct CryptoTests {
    @Test func sha256KnownAnswer() {
        #expect(
            Crypto.sha256(Array("abc".utf8)).hexString
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.sha256([]).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// RFC 4231 test case 2.
    @Test func hmacRFC4231() {
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// The Stripe vector from the provider facts, computed with stripe-python.
    @Test func hmacStripeVector() {
        let payload = #"1700000000.{"id":"evt_test_webhook","object":"event"}"#
        let mac = Crypto.hmacSHA256(key: Array("whsec_test_secret".utf8), data: Array(payload.utf8))
        #expect(mac.hexString == "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990")
    }

    @Test func constantTimeEquals() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(Crypto.constantTimeEquals([], []))
    }

    @Test func randomBytesDiffer() {
        #expect(Crypto.randomBytes(16).count == 16)
        #expect(Crypto.randomBytes(16) != Crypto.randomBytes(16))
    }
}
