import Core
import Foundation
import StandIns
import Testing

/// `payctl reconcile` and the `reconcile` function against the providers' stand-ins: each
/// difference kind found, applied once through the webhook's use case, and a webhook arriving
/// later (or a second `--apply`) having no second effect. Lists are capped at one item a page, so
/// every page is followed.
@Suite struct ReconcileTests {
    static func reconcile(_ world: World, _ arguments: [String]) throws -> (status: Int32, differences: [[String: Any]])
    {
        // Right away: the grace period that leaves recent changes to their webhooks is off.
        let result = try Processes.run(
            ["reconcile", "--since", "1h", "--json"] + arguments,
            environment: world.environment.merging(["RECONCILE_GRACE": "0s"]) { _, new in new })
        let report = (result.json as? [String: Any]) ?? [:]
        return (result.status, report["differences"] as? [[String: Any]] ?? [])
    }

    static func codes(_ differences: [[String: Any]]) -> [String] {
        differences.map { "\($0["kind"] as? String ?? "?") \($0["applied"] as? String ?? "-")" }
    }

    /// Bookings made here, their notifications lost: one paid, one canceled, and one refunded in
    /// YooKassa's dashboard after its success was notified.
    @Test func yooKassaMissedChangesAreFoundAndAppliedOnce() throws {
        let world = try World()
        world.yookassa.capListPages(at: 1)
        let (paid, paidAtProvider) = try world.createBooking()
        let (canceled, canceledAtProvider) = try world.createBooking()
        let (refunded, refundedAtProvider) = try world.createBooking()
        let lateSuccess = try #require(world.yookassa.settle(paidAtProvider, "succeed"))
        _ = world.yookassa.settle(canceledAtProvider, "cancel")
        #expect(try world.notify(try #require(world.yookassa.settle(refundedAtProvider, "succeed"))).statusCode == 200)
        let lateRefund = try #require(world.yookassa.settle(refundedAtProvider, "refund"))

        let found = try Self.reconcile(world, ["--provider", "yookassa"])
        #expect(found.status == 1)
        #expect(Set(Self.codes(found.differences)) == ["missed_success -", "missed_cancellation -", "missed_refund -"])
        #expect(Set(found.differences.compactMap { $0["local_id"] as? String }) == [paid, canceled, refunded])
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [paid]) == "pending")

        let applied = try Self.reconcile(world, ["--provider", "yookassa", "--apply"])
        #expect(applied.status == 0)
        #expect(
            Set(Self.codes(applied.differences)) == [
                "missed_success processed", "missed_cancellation processed", "missed_refund processed",
            ])
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [paid]) == "succeeded")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [canceled]) == "canceled")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [refunded]) == "refunded")
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE verification = 'reconcile'") == 3)

        // The lost notifications arrive at last: duplicates, no second effect.
        #expect(try world.notify(lateSuccess).json["outcome"] as? String == "duplicate")
        #expect(try world.notify(lateRefund).json["outcome"] as? String == "duplicate")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 2)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_failed'") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_refunded'") == 1)
        // A second run finds nothing.
        let again = try Self.reconcile(world, ["--provider", "yookassa", "--apply"])
        #expect(again.status == 0 && again.differences.isEmpty)
    }

    @Test func differencesForAnOperatorAreReportedNotApplied() throws {
        let world = try World()
        let (mismatched, _) = try world.createBooking()
        let (ahead, _) = try world.createBooking()
        let (unknown, _) = try world.createBooking()
        let connection = try PGConnection(url: world.databaseURL)
        try connection.query("UPDATE payments SET amount_minor = 40000 WHERE id = $1::uuid", [mismatched])
        try connection.query("UPDATE payments SET status = 'succeeded' WHERE id = $1::uuid", [ahead])
        try connection.query(
            "UPDATE payments SET provider_payment_id = '2d9f0000-000f-5000-8000-000000000000' WHERE id = $1::uuid",
            [unknown])
        let found = try Self.reconcile(world, ["--provider", "yookassa", "--apply"])
        #expect(found.status == 1)
        #expect(
            Set(Self.codes(found.differences)) == ["amount_mismatch -", "ahead_locally -", "unknown_to_provider -"])
        #expect(Set(found.differences.compactMap { $0["local_id"] as? String }) == [mismatched, ahead, unknown])
        // payctl check counts what the latest run left standing.
        let check = try Processes.run(["check", "--json"], environment: world.environment)
        let findings = (check.json as? [String: Any])?["findings"] as? [[String: Any]] ?? []
        #expect(findings.first { $0["check"] as? String == "reconcile_differences" }?["value"] as? Int == 3)
    }

    @Test func stripeEventsNeverReceivedAreAppliedAndTheLateDeliveryIsADuplicate() throws {
        let world = try World()
        world.stripe.capListPages(at: 1)
        let received = world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_r1", paymentIntent: "pi_r1")
        #expect(try world.outcome(received) == "processed")
        let missed = world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_r2", paymentIntent: "pi_r2")
        let missedRefund = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_r1", amount: 900))

        let found = try Self.reconcile(world, ["--provider", "stripe"])
        #expect(found.status == 1)
        #expect(Self.codes(found.differences) == ["missed_success -", "missed_refund -"])
        let applied = try Self.reconcile(world, ["--provider", "stripe", "--apply"])
        #expect(applied.status == 0)
        #expect(Self.codes(applied.differences) == ["missed_success processed", "missed_refund processed"])
        #expect(try world.status(paymentIntent: "pi_r2") == "succeeded")
        #expect(try world.outcome(missed) == "duplicate")
        #expect(try world.outcome(missedRefund) == "duplicate")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_refunded'") == 1)
        #expect(try Self.reconcile(world, ["--provider", "stripe"]).differences.isEmpty)
    }

    @Test func starsPaymentsAndRefundsMissedAreBroughtIn() throws {
        let world = try World()
        world.telegram.capTransactionPages(at: 1)
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchase = try #require(answer.json["purchase_id"] as? String)
        // The buyer pays; the update never reaches the webhook.
        let lostUpdate = world.telegram.successfulPaymentUpdate(
            purchaseID: purchase, userID: 5001, amount: 50, chargeID: "charge-lost")

        let applied = try Self.reconcile(world, ["--provider", "telegram", "--apply"])
        #expect(Self.codes(applied.differences) == ["missed_success processed"])
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "succeeded")
        #expect(try world.update(lostUpdate).json["outcome"] as? String == "duplicate_charge")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)

        // Refunded from elsewhere: found and recorded once.
        world.telegram.refundElsewhere("charge-lost")
        let refund = try Self.reconcile(world, ["--provider", "telegram", "--apply"])
        #expect(Self.codes(refund.differences) == ["missed_refund processed"])
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "refunded")
        #expect(try Self.reconcile(world, ["--provider", "telegram"]).differences.isEmpty)
    }

    /// The scheduled function reports only, unless `RECONCILE_APPLY=true`.
    @Test func theFunctionReportsOnlyUnlessToldToApply() throws {
        let world = try World()
        let (paid, provider) = try world.createBooking()
        _ = world.yookassa.settle(provider, "succeed")
        func tick(_ extra: [String: String]) throws -> [String: Any] {
            var input = BytesSource(
                Array(#"{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}"#.utf8))
            let output = FunctionMain.invoke(
                name: "reconcile", environment: world.environment.merging(extra) { _, new in new }, input: &input,
                sink: MemorySink(), makeHandler: ReconcileHandler.make)
            return try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any])
        }
        // Within the grace period nothing is reported: the webhook may still be on its way.
        let waiting = try tick(["RECONCILE_WINDOW": "1h"])
        #expect((waiting["differences"] as? [[String: Any]])?.isEmpty == true)
        let reported = try tick(["RECONCILE_WINDOW": "1h", "RECONCILE_GRACE": "0s"])
        #expect((reported["differences"] as? [[String: Any]])?.count == 1 && reported["applied"] as? Int == 0)
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [paid]) == "pending")
        let applied = try tick(["RECONCILE_WINDOW": "1h", "RECONCILE_GRACE": "0s", "RECONCILE_APPLY": "true"])
        #expect(applied["applied"] as? Int == 1)
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [paid]) == "succeeded")
    }

    /// One provider that cannot be read is exit 4; the others are still compared.
    @Test func anUnreadableProviderIsExit4() throws {
        let world = try World()
        let (_, provider) = try world.createBooking()
        _ = world.yookassa.settle(provider, "succeed")
        let result = try Processes.run(
            ["reconcile", "--json"],
            environment: world.environment.merging([
                "STRIPE_API_KEY": "rk_test_not_a_key_stripe_knows", "RECONCILE_GRACE": "0s",
            ]) { _, new in new })
        #expect(result.status == 4 && result.stderr.contains("Stripe could not be read"), "\(result.stderr)")
        #expect(!result.stderr.contains("rk_test_not_a_key_stripe_knows") && !result.stdout.contains("rk_test_not"))
        // YooKassa and Telegram were compared all the same.
        let report = try #require(result.json as? [String: Any])
        #expect((report["differences"] as? [[String: Any]])?.first?["kind"] as? String == "missed_success")
    }

    /// Stripe is compared by state: events whose change the payment already shows, events that
    /// move no status, and other integrations' events are no difference.
    @Test func stripeEventsThatChangeNothingHereAreNoDifference() throws {
        let world = try World()
        world.stripe.makeEvent("payment_intent.payment_failed", dealID: "deal_s", paymentIntent: "pi_s")
        world.stripe.makeEvent("checkout.session.completed", dealID: "deal_s", paymentIntent: "pi_s")
        #expect(
            try world.outcome(
                world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_s", paymentIntent: "pi_s"))
                == "processed")
        world.stripe.makeEvent("payment_intent.succeeded", dealID: nil, paymentIntent: "pi_elsewhere")
        world.stripe.makeEvent("checkout.session.completed", dealID: "deal_u", paymentStatus: "unpaid")
        let found = try Self.reconcile(world, ["--provider", "stripe"])
        #expect(found.status == 0 && found.differences.isEmpty, "\(found.differences)")
    }

    /// A Stars payment never recorded that Telegram has already given back: recorded refunded,
    /// and the purchase is not fulfilled.
    @Test func aStarsPaymentRefundedBeforeItWasRecordedIsNotFulfilled() throws {
        let world = try World()
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchase = try #require(answer.json["purchase_id"] as? String)
        _ = world.telegram.successfulPaymentUpdate(
            purchaseID: purchase, userID: 5001, amount: 50, chargeID: "charge-gone")
        world.telegram.refundElsewhere("charge-gone")
        let applied = try Self.reconcile(world, ["--provider", "telegram", "--apply"])
        #expect(Self.codes(applied.differences) == ["missed_refund processed"])
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "pending")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 0)
        #expect(
            try world.count(
                "SELECT count(*) FROM purchase_charges WHERE telegram_payment_charge_id = 'charge-gone' AND refunded_at IS NOT NULL"
            ) == 1)
        #expect(try Self.reconcile(world, ["--provider", "telegram"]).differences.isEmpty)
    }
}
