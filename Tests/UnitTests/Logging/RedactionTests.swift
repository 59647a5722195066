import Core
import Foundation
import Logging
import Testing

@Suite struct RedactionTests {
    static let secrets = [
        "YOOKASSA_SECRET_KEY": "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0",
        "STRIPE_WEBHOOK_SECRET": "whsec_rotatedOldSecret0001,whsec_currentSecret0002",
        "STRIPE_API_KEY": "rk_test_51Hm3ExampleRestrictedKey0003",
        "TELEGRAM_BOT_TOKEN": "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "TELEGRAM_WEBHOOK_SECRET": "tg-webhook-secret-0004",
        "DATABASE_URL": "postgresql://payments:db-password-0005@db.internal:5432/payments",
    ]

    /// Every secret value, and card data a provider might echo.
    static let forbidden = [
        "Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0", "whsec_rotatedOldSecret0001", "whsec_currentSecret0002",
        "rk_test_51Hm3ExampleRestrictedKey0003", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "tg-webhook-secret-0004",
        "db-password-0005", "4111111111111111", "4111 1111 1111 1111", "v1=d95c6b7477fbd7e9",
        "c2hvcC0xMjM6dGVzdF9GaDho", "sk_live_UnconfiguredButShaped0006", "5555-5555-5555-4444",
    ]

    @Test func aRequestCarryingEverySecretLogsNoneOfThem() throws {
        let sink = MemorySink()
        let config = Config(environment: Self.secrets)
        let logger = JSONLogHandler.logger(
            function: "stripe-webhook", level: .trace, redactor: Redactor(secrets: config.secretValues), sink: sink)
        let headers: Logger.Metadata = [
            "Stripe-Signature": "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990",
            "X-Telegram-Bot-Api-Secret-Token": "tg-webhook-secret-0004",
            "Authorization": "Basic c2hvcC0xMjM6dGVzdF9GaDho",
            "Cookie": "session=abc",
        ]
        logger.info(
            "Stripe webhook received",
            metadata: [
                "headers": .dictionary(headers),
                "card": .dictionary(["last4": "1111", "expiry_month": "12", "number": "4111111111111111"]),
                "note": "customer typed 4111 1111 1111 1111 in the comment, and 5555-5555-5555-4444 too",
                "upstream":
                    "call to https://api.telegram.org/bot7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/createInvoiceLink failed",
                "key_used": "Bearer rk_test_51Hm3ExampleRestrictedKey0003",
                "config_dump": .string(Self.secrets.values.joined(separator: " ")),
                "stray": "sk_live_UnconfiguredButShaped0006",
                "list": .array(["whsec_currentSecret0002", "fine"]),
            ])
        logger.error("connect failed for postgresql://payments:db-password-0005@db.internal:5432/payments")
        logger.debug("yookassa secret is \(Self.secrets["YOOKASSA_SECRET_KEY"]!)")

        let log = sink.lines.joined(separator: "\n")
        #expect(sink.lines.count == 3)
        for secret in Self.forbidden {
            #expect(!log.contains(secret), "log contains \(secret)")
        }
        #expect(log.contains(Redactor.mask))
        #expect(log.contains("Stripe webhook received"))
        #expect(log.contains("fine"))
        for line in sink.lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test func ordinaryIdsSurvive() {
        let redactor = Redactor(secrets: ["some-secret-value"])
        for text in [
            "2203aa1d-000f-5000-8000-17102541fd31", "evt_1NG8Du2eZvKYlo2CUI79vXWy", "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "amount 59900 RUB", "update 123456789", "charge 1234567890123", "apt-1001",
        ] {
            #expect(redactor.scrub(text) == text)
        }
    }

    @Test func aLoggersOwnMetadataIsRedactedWhenSetAndLinesKeepKeyOrder() throws {
        let sink = MemorySink()
        var logger = JSONLogHandler.logger(
            function: "stripe-webhook", level: .info, redactor: Redactor(secrets: ["abc"]), sink: sink)
        logger[metadataKey: "request_id"] = "req-1"
        logger[metadataKey: "note"] = "card 4111 1111 1111 1111"
        logger[metadataKey: "event_id"] = "evt_1"
        logger[metadataKey: "zone"] = "xabcx"
        logger[metadataKey: "dropped"] = "soon gone"
        logger[metadataKey: "dropped"] = nil
        logger[metadataKey: "Stripe-Signature"] = "t=1,v1=00"
        logger.info("first")
        logger.info("second", metadata: ["event_id": "evt_2", "amount": "5", "request_id": "req-2"])

        #expect(sink.lines.count == 2)
        let keys = try sink.lines.map { line in
            try #require(line.firstMatch(of: #/^\{"time":"[0-9T:.Z-]{24}",/#)).output
            return line.matches(of: #/"([a-zA-Z_-]+)":/#).map { String($0.output.1) }
        }
        #expect(
            keys[0] == [
                "time", "level", "function", "request_id", "message", "Stripe-Signature", "event_id", "note", "zone",
            ])
        #expect(
            keys[1] == [
                "time", "level", "function", "request_id", "message", "Stripe-Signature", "amount", "event_id", "note",
                "zone",
            ])
        #expect(sink.lines[0].contains(#""request_id":"req-1""#) && sink.lines[1].contains(#""request_id":"req-2""#))
        #expect(sink.lines[0].contains(#""event_id":"evt_1""#) && sink.lines[1].contains(#""event_id":"evt_2""#))
        for line in sink.lines {
            #expect(
                !line.contains("4111") && !line.contains("abc") && !line.contains("v1=00") && !line.contains("soon"))
            #expect(line.contains(#""zone":"x[REDACTED]x""#) && line.contains(#""Stripe-Signature":"[REDACTED]""#))
        }
    }

    @Test func shortTextsAreMaskedFromTheShortestShape() {
        let redactor = Redactor()
        #expect(redactor.scrub("Basic abcd") == Redactor.mask)
        #expect(redactor.scrub("whsec_abc") == "whsec_abc")
        #expect(Redactor(secrets: ["q7"]).scrub("aQ7") == "a\(Redactor.mask)")
    }

    @Test func sensitiveKeys() {
        for key in [
            "stripe-signature", "X-Telegram-Bot-Api-Secret-Token", "authorization", "card", "cvc", "password",
            "api_key", "pan", "PAN", "Number",
        ] {
            #expect(Redactor.isSensitiveKey(key), "\(key)")
        }
        for key in [
            "event_id", "payment_id", "amount", "telegram_payment_charge_id", "status", "company", "pane",
            "phone_number",
        ] {
            #expect(!Redactor.isSensitiveKey(key), "\(key)")
        }
    }
}
