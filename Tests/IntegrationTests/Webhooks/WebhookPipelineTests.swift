import Core
import Foundation
import StandIns
import Testing

/// The one webhook pipeline, seen from the operator's side: every provider ends each delivery
/// with one `webhook done` line carrying `provider`, `event_id`, `event_type` and `outcome`, and
/// payctl judges outcomes by their severity, whichever provider they come from.
@Suite struct WebhookPipelineTests {
    /// A Stars purchase paid end to end through the webhook (pre-checkout, then the payment); returns the log.
    static func paidStars(_ world: World) throws -> [String] {
        let purchaseID = try #require(
            try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#).0.json["purchase_id"] as? String)
        var log: [String] = []
        for update in [
            world.telegram.preCheckoutUpdate(purchaseID: purchaseID, userID: 5001, amount: 50),
            world.telegram.successfulPaymentUpdate(purchaseID: purchaseID, userID: 5001, amount: 50),
        ] {
            let invocation = Invocation.v2(
                body: String(decoding: update, as: UTF8.self), path: "/api/v1/purchase/webhook",
                headers: ["X-Telegram-Bot-Api-Secret-Token": world.telegram.webhookSecret],
                environment: world.environment)
            #expect(
                try invocation.run(name: "stars-webhook", makeHandler: TelegramWebhookSource.make).statusCode == 200)
            log += invocation.sink.lines
        }
        return log
    }

    @Test func aHealthyStarsPreCheckoutIsNoProblemForTheOperator() throws {
        let world = try World()
        _ = try Self.paidStars(world)
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE outcome = 'answered_ok'") == 1)
        let summary = try Processes.run(["summary", "--since", "1h", "--json"], environment: world.environment)
        #expect(summary.status == 0, "a healthy shop: \(summary.stdout)")
        let report = try #require(summary.json as? [String: Any])
        #expect(report["errors"] as? Int == 0)
        #expect(report["total"] as? Int == 2)
    }

    @Test func starsDeliveriesEndWithALineSummaryCounts() throws {
        let world = try World()
        let log = try Self.paidStars(world)
        let ends = log.filter { $0.contains(#""message":"webhook done""#) }
        #expect(ends.count == 2)
        for line in ends {
            for key in [#""provider":"telegram""#, #""event_id":"update:"#, #""event_type":""#, #""outcome":""#] {
                #expect(line.contains(key), "\(line)")
            }
        }
        let summary = try Processes.run(
            ["summary", "--lines", "100", "--provider", "telegram", "--json"], environment: world.environment,
            stdin: log.joined(separator: "\n"))
        let report = try #require(summary.json as? [String: Any])
        #expect(report["total"] as? Int == 2)
        let counts = try #require(report["counts"] as? [[String: Any]])
        #expect(counts.contains { $0["provider"] as? String == "telegram" && $0["outcome"] as? String == "processed" })
        #expect(
            counts.contains { $0["provider"] as? String == "telegram" && $0["outcome"] as? String == "answered_ok" })
    }

    @Test func nextStepsAreTheNamedProvidersOwn() throws {
        let world = try World()
        let telegram = try Processes.run(["summary", "--provider", "telegram"], environment: world.environment)
        #expect(telegram.stdout.contains("getWebhookInfo"))
        #expect(!telegram.stdout.contains("Stripe Dashboard"))
        let yookassa = try Processes.run(["summary", "--provider", "yookassa"], environment: world.environment)
        #expect(yookassa.stdout.contains("HTTP notifications"))
        #expect(!yookassa.stdout.contains("Stripe Dashboard"))
    }

    @Test func everyProviderEndsEveryDeliveryWithOneLine() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (_, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let yookassa = Invocation.v2(
            body: String(decoding: notification, as: UTF8.self), path: "/api/webhooks/yookassa",
            sourceIP: "185.71.76.5", environment: world.environment)
        #expect(try yookassa.run(name: "yookassa-webhook", makeHandler: YooKassaWebhookSource.make).statusCode == 200)
        let (_, stripeLog) = try world.deliver(world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_1"))
        for (name, log) in [("yookassa", yookassa.sink.lines), ("stripe", stripeLog)] {
            let ends = log.filter { $0.contains(#""message":"webhook done""#) }
            #expect(ends.count == 1, "\(name)")
            #expect(ends.first?.contains(#""provider":"\#(name)""#) == true)
            #expect(ends.first?.contains(#""outcome":"processed""#) == true)
        }
    }
}
