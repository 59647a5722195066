import Core
import Foundation
import Testing

/// Every function and every payctl command, with every secret set and logging at debug level:
/// no secret value appears on stdout, stderr or anywhere in the database.
@Suite struct SecretScanTests {
    @Test func noSecretAnywhere() throws {
        let extraSecrets = [
            "STRIPE_WEBHOOK_SECRET": "whsec_rollingOldSecret000,whsec_test_secret",
            "STRIPE_WEBHOOK_TOLERANCE": "0", "LOG_LEVEL": "trace", "MOCK_PAYMENTS": "true",
        ]
        let world = try World(extraSecrets)
        let secrets = [
            world.yookassa.secretKey, "whsec_rollingOldSecret000", world.stripe.webhookSecret, world.stripe.apiKey,
            world.telegram.botToken, world.telegram.webhookSecret,
        ]
        var seen = ""
        func run(
            _ name: String, _ path: String, _ body: [UInt8], headers: [String: String] = [:],
            sourceIP: String = "185.71.76.5",
            make: (FunctionContext) throws -> any Handler, environment: [String: String] = [:]
        ) throws {
            let invocation = Invocation.v2(
                body: String(decoding: body, as: UTF8.self), path: path, headers: headers, sourceIP: sourceIP,
                environment: world.environment.merging(environment) { _, new in new })
            let answer = try invocation.run(name: name, makeHandler: make)
            seen += answer.body + answer.headers.description + invocation.sink.lines.joined(separator: "\n")
        }
        // Successes, refusals and failures of each function.
        let (local, provider) = try world.createBooking()
        _ = local
        try run(
            "create-intent", "/api/public/payments", Array(#"{"plan_id":"basic","user_id":"s1"}"#.utf8),
            headers: ["Authorization": "Basic \(world.yookassa.secretKey)"], make: CreateIntentHandler.make)
        world.yookassa.inject([.init(.status, status: 401)])
        try run(
            "create-intent", "/api/public/payments", Array(#"{"plan_id":"premium","user_id":"s2"}"#.utf8),
            make: CreateIntentHandler.make)
        try run(
            "yookassa-webhook", "/api/webhooks/yookassa", world.yookassa.settle(provider, "succeed")!,
            make: YooKassaWebhookSource.make)
        let event = world.stripe.makeEvent("checkout.session.completed", dealID: "deal_s")
        let (body, signature) = world.stripe.signedDelivery(event)
        try run(
            "stripe-webhook", "/api/webhooks/stripe", body, headers: ["Stripe-Signature": signature],
            make: StripeWebhookSource.make)
        try run(
            "stripe-webhook", "/api/webhooks/stripe", body,
            headers: ["Stripe-Signature": signature + ",v1=" + String(repeating: "0", count: 64)],
            make: StripeWebhookSource.make)
        try run(
            "stripe-webhook", "/api/webhooks/stripe", body,
            headers: ["Stripe-Signature": "t=1,v1=" + String(repeating: "a", count: 64)], make: StripeWebhookSource.make
        )
        let live = ["MOCK_PAYMENTS": "false", "TELEGRAM_STARS_ENABLED": "true"]
        try run(
            "stars-invoice", "/api/v1/purchase/invoice",
            Array(#"{"user_id":9,"item_id":"hint-pack","purchase_id":"sec-1"}"#.utf8), make: StarsInvoiceHandler.make,
            environment: live)
        world.telegram.failNext(401)
        try run(
            "stars-invoice", "/api/v1/purchase/invoice", Array(#"{"user_id":10,"item_id":"hint-pack"}"#.utf8),
            make: StarsInvoiceHandler.make, environment: live)
        try run(
            "stars-purchase", "/api/v1/purchase",
            Array(#"{"user_id":9,"purchase_id":"sec-2","item_id":"hint-pack"}"#.utf8), make: StarsPurchaseHandler.make)
        try run(
            "stars-webhook", "/api/v1/purchase/webhook",
            world.telegram.successfulPaymentUpdate(purchaseID: "sec-1", userID: 9, amount: 50),
            headers: ["X-Telegram-Bot-Api-Secret-Token": world.telegram.webhookSecret], make: TelegramWebhookSource.make
        )
        try run(
            "stars-webhook", "/api/v1/purchase/webhook", Array("{}".utf8),
            headers: ["X-Telegram-Bot-Api-Secret-Token": world.telegram.webhookSecret + "x"],
            make: TelegramWebhookSource.make)
        try run(
            "create-intent", "/api/public/payments", Array("{}".utf8), make: CreateIntentHandler.make,
            environment: [
                "DATABASE_URL": "postgresql://payments:\(world.yookassa.secretKey)@127.0.0.1:1/x?connect_timeout=1"
            ])

        let environment = world.environment.merging(extraSecrets) { _, new in new }
        for arguments in [
            ["migrate"], ["tail", "--no-follow"], ["summary"], ["summary", "--json"], ["show", event["id"] as! String],
            ["stripe", "events"], ["purchases", "mark-failed", "sec-1"], ["idempotency", "purge"],
        ] {
            let result = try Processes.run(arguments, environment: environment)
            seen += result.stdout + result.stderr
        }
        seen += try world.everything()
        #expect(seen.contains("deal_s"), "the scan saw real output")
        for secret in secrets {
            #expect(!seen.contains(secret), "found \(secret)")
        }
    }
}
