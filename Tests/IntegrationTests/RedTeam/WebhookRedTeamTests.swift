import Core
import Foundation
import StandIns
import Testing

/// Attacks on the webhook endpoints from the security review: each test is the attacker's
/// sequence, named by its finding.
@Suite struct WebhookRedTeamTests {
    /// A notification nobody at YooKassa sent: `event` for the payment `providerID`, from anywhere.
    static func forged(_ event: String, providerID: String, status: String, amount: String) -> [UInt8] {
        Array(
            #"""
            {"type":"notification","event":"\#(event)","object":{"id":"\#(providerID)","status":"\#(status)","paid":true,
             "amount":{"value":"\#(amount)","currency":"RUB"},"created_at":"2026-12-01T10:00:00.000Z"}}
            """#.utf8)
    }

    /// Finding 1: with API verification, a forged `payment.succeeded` for a pending payment must not
    /// take the key of YooKassa's real notification, which must still succeed the payment once.
    @Test func finding1_forgedNotificationCannotFreezeAPayment() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "api"])
        let (local, provider) = try world.createBooking()
        let amount = try #require(try world.value("SELECT amount_minor FROM payments WHERE id = $1::uuid", [local]))
        let value = Money(minorUnits: try #require(Int64(amount)), currency: .rub).decimalString

        for _ in 0..<3 {
            let forged = try world.notify(
                Self.forged("payment.succeeded", providerID: provider, status: "succeeded", amount: value),
                from: "203.0.113.66")
            #expect(
                forged.statusCode == 202, "not confirmed by the API: answered so that a real sender would redeliver")
            #expect(forged.json["outcome"] as? String == "not_confirmed")
        }
        // The same lie with the object's status matching the API's, so only the event name lies.
        let sly = try world.notify(
            Self.forged("payment.succeeded", providerID: provider, status: "pending", amount: value))
        #expect(sly.json["outcome"] as? String == "not_confirmed")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "pending")

        let real = try #require(world.yookassa.settle(provider, "succeed"))
        let answer = try world.notify(real)
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "processed")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(
            try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid' AND aggregate_id = $1", [local])
                == 1)
        #expect(try world.notify(real).json["outcome"] as? String == "duplicate")
    }

    /// Finding 1, refunds: a forged `refund.succeeded` naming a refund that has not succeeded
    /// must not take the key of the real one.
    @Test func finding1_forgedRefundNotificationCannotFreezeARefund() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "api"])
        let (local, provider) = try world.createBooking()
        #expect(
            try world.notify(try #require(world.yookassa.settle(provider, "succeed"))).json["outcome"] as? String
                == "processed")
        let refund = try #require(world.yookassa.settle(provider, "refund"))
        let object = try #require(
            (try JSONSerialization.jsonObject(with: Data(refund)) as? [String: Any])?["object"] as? [String: Any])
        let refundID = try #require(object["id"] as? String)
        world.yookassa.setRefundStatus(refundID, "pending")
        let early = try world.notify(refund, from: "203.0.113.66")
        #expect(early.statusCode == 202)
        #expect(early.json["outcome"] as? String == "not_confirmed")

        world.yookassa.setRefundStatus(refundID, "succeeded")
        #expect(try world.notify(refund).json["outcome"] as? String == "processed")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "refunded")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_refunded' AND aggregate_id = $1", [local]) == 1)
    }

    /// Finding 4: a thousand unsigned Stripe deliveries, each with its own claimed event id, must
    /// not leave a thousand rows; they are counted, shown to operators with a hint, and purged.
    @Test func finding4_unsignedFloodCostsBoundedStorage() throws {
        let world = try World()
        for index in 0..<1_000 {
            var event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d", paymentIntent: "pi_flood")
            event["id"] = "evt_flood_\(index)"
            let (answer, _) = try world.deliver(event, secret: "whsec_attacker_guess")
            #expect(answer.statusCode == 400)
        }
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
        // One counter row per hour: a flood that crosses the hour's end has two.
        #expect((1...2).contains(try world.count("SELECT count(*) FROM webhook_rejections")))
        #expect(
            try world.value(
                "SELECT total FROM (SELECT sum(count) AS total FROM webhook_rejections WHERE provider = 'stripe' AND reason = 'signature_failed') AS found"
            ) == "1000")
        #expect(
            try world.value(
                "SELECT last_event_id FROM (SELECT last_event_id FROM webhook_rejections ORDER BY hour DESC LIMIT 1) AS found"
            ) == "evt_flood_999")

        let summary = try Processes.run(["summary", "--since", "1h", "--json"], environment: world.environment)
        #expect(summary.status == 1)
        let report = try #require(summary.json as? [String: Any])
        #expect(report["signatureFailures"] as? Int == 1_000)
        #expect(
            (report["nextSteps"] as? [String] ?? []).contains {
                $0.contains("1000 stripe signature failure(s)") && $0.contains("STRIPE_WEBHOOK_SECRET")
            })
        let tail = try Processes.run(["tail", "--no-follow", "--since", "1h"], environment: world.environment)
        #expect(tail.stdout.contains("stripe refused signature_failed count=1000"))

        let dryRun = try Processes.run(["purge", "--json"], environment: world.environment)
        #expect((dryRun.json as? [String: Any])?["oldRejectionCounters"] as? Int == 0, "a fresh counter is kept")
        try PGConnection(url: world.databaseURL).query(
            "UPDATE webhook_rejections SET last_seen_at = now() - interval '31 days'")
        let purged = try Processes.run(["purge", "--yes", "--json"], environment: world.environment)
        #expect((purged.json as? [String: Any])?["oldRejectionCounters"] as? Int == 1)
        #expect(try world.count("SELECT count(*) FROM webhook_rejections") == 0)
    }

    /// Finding 4, the other providers: wrong Telegram secret tokens and YooKassa notifications
    /// from outside its networks are counted the same way and never stored one by one.
    @Test func finding4_refusedTelegramAndYooKassaDeliveriesAreCounted() throws {
        let world = try World()
        let update = world.telegram.preCheckoutUpdate(purchaseID: "order-x", userID: 42, amount: 50)
        for guess in ["wrong-token-guess-0001", "wrong-token-guess-0002", "wrong-token-guess-0003"] {
            #expect(try world.update(update, token: guess).statusCode == 403)
        }
        let (_, provider) = try world.createBooking()
        for _ in 0..<2 {
            let notification = Self.forged(
                "payment.succeeded", providerID: provider, status: "succeeded", amount: "500.00")
            #expect(try world.notify(notification, from: "203.0.113.66").statusCode == 403)
        }
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
        #expect(
            try world.value(
                "SELECT count FROM webhook_rejections WHERE provider = 'telegram' AND reason = 'invalid_secret_token'")
                == "3")
        #expect(
            try world.value(
                "SELECT count FROM webhook_rejections WHERE provider = 'yookassa' AND reason = 'untrusted_source'")
                == "2")
        let summary = try Processes.run(["summary", "--since", "1h"], environment: world.environment)
        #expect(summary.stdout.contains("TELEGRAM_WEBHOOK_SECRET"))
        #expect(summary.stdout.contains("TRUSTED_PROXIES"))
    }

    /// Finding 4: a database that cannot count a refusal does not change the refusal's answer.
    @Test func finding4_refusalStandsWhenTheDatabaseIsDown() throws {
        let world = try World()
        let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d")
        let (answer, log) = try world.deliver(
            event, secret: "whsec_attacker_guess", environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        #expect(answer.statusCode == 400)
        #expect(answer.errorCode == "signature_verification_failed")
        #expect(log.contains { $0.contains("refused delivery not counted") })
    }
}
