import Core
import Foundation
import StandIns
import Testing

/// Finding 9: weak or misshapen secrets were accepted, and short ones never redacted.
@Suite struct SecretsRedTeamTests {
    @Test func finding9_weakSecretsAreConfigurationErrorsNamingTheVariable() throws {
        let world = try World()
        let cases: [(String, String, String, (FunctionContext) throws -> any Handler)] = [
            ("TELEGRAM_WEBHOOK_SECRET", "x", "stars-webhook", TelegramWebhookSource.make),
            ("TELEGRAM_WEBHOOK_SECRET", "fifteen-chars-x", "stars-webhook", TelegramWebhookSource.make),
            ("TELEGRAM_WEBHOOK_SECRET", "has spaces in it ok?", "stars-webhook", TelegramWebhookSource.make),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc", "stripe-webhook", StripeWebhookSource.make),
            ("STRIPE_WEBHOOK_SECRET", "whsec_valid_secret_1,whsec_x", "stripe-webhook", StripeWebhookSource.make),
            ("STRIPE_WEBHOOK_SECRET", "secret-without-prefix", "stripe-webhook", StripeWebhookSource.make),
            ("YOOKASSA_SECRET_KEY", "abc", "create-intent", CreateIntentHandler.make),
            ("TELEGRAM_BOT_TOKEN", "123:short", "stars-invoice", StarsInvoiceHandler.make),
        ]
        for (variable, value, function, make) in cases {
            let extra = [variable: value, "TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"]
            let invocation = Invocation.v2(
                body: "{}", path: "/", environment: world.environment.merging(extra) { _, new in new })
            let answer = try invocation.run(name: function, makeHandler: make)
            #expect(answer.statusCode == 500, "\(variable)=\(value)")
            #expect(answer.errorCode == "configuration_error", "\(variable)=\(value)")
            let everything = answer.body + invocation.sink.lines.joined()
            #expect(everything.contains(variable), "\(variable) is named")
            #expect(value.count < 4 || !everything.contains(value), "\(variable)'s value is never shown")
        }
    }

    @Test func finding9_stripeAPIKeyShapeIsChecked() throws {
        let result = try Processes.run(
            ["stripe", "events"],
            environment: ["STRIPE_API_KEY": "pk_live_publishable000", "STRIPE_API_URL": "http://127.0.0.1:9"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("STRIPE_API_KEY"))
        #expect(!result.stderr.contains("pk_live_publishable000"))
    }

    @Test func finding9_everyConfiguredSecretIsRedactedOrRefused() throws {
        let redactor = Redactor(
            secrets: Config(environment: ["DATABASE_URL": "postgresql://u:k9-longer@host/db"]).secretValues)
        #expect(redactor.scrub("password k9-longer leaked") == "password \(Redactor.mask) leaked")
        // One too short to redact without masking common letters is refused (round three, finding 3).
        #expect(throws: ConfigError.self) {
            try Config(environment: ["DATABASE_URL": "postgresql://u:k9@host/db"]).checkSecretLengths()
        }
    }
}
