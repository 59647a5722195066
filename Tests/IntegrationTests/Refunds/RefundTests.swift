import Core
import Foundation
import StandIns
import Testing

/// `payctl refund` end to end: the real payctl against a real database and the providers'
/// stand-ins on loopback, through every way a refund can end, crash or repeat.
@Suite struct RefundTests {
    /// A paid 500.00 RUB booking: the world, its local id and its YooKassa id.
    static func paidBooking() throws -> (World, String, String) {
        let world = try World(["PAYCTL_OPERATOR": "alice"])
        let (local, provider) = try world.createBooking()
        #expect(try world.notify(try #require(world.yookassa.settle(provider, "succeed"))).statusCode == 200)
        return (world, local, provider)
    }

    static func refund(
        _ world: World, _ arguments: [String], environment: [String: String] = [:]
    ) throws
        -> Processes.Result
    {
        try Processes.run(["refund"] + arguments, environment: world.environment.merging(environment) { _, new in new })
    }

    static func refunded(_ world: World, _ payment: String) throws -> String? {
        try world.text(
            "SELECT status || ' ' || amount_refunded_minor AS v FROM payments WHERE id = $1::uuid", [payment])
    }

    @Test func withoutYesNothingIsWrittenOrSent() throws {
        let (world, payment, _) = try Self.paidBooking()
        let plan = try Self.refund(world, [payment, "--amount", "100.00"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Would refund 100.00 RUB") && plan.stdout.contains("500.00 RUB refundable"))
        #expect(try world.count("SELECT count(*) FROM refunds") == 0)
        #expect(try world.count("SELECT count(*) FROM audit_log") == 0)
        #expect(world.yookassa.refundsMade == 0)
    }

    @Test func partialRefundsAddUpAndTheLastMakesItRefunded() throws {
        let (world, payment, provider) = try Self.paidBooking()
        for amount in ["100.00", "150.00"] {
            let result = try Self.refund(world, [payment, "--amount", amount, "--reason", "goodwill", "--yes"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("refunded in part"))
        }
        #expect(try Self.refunded(world, payment) == "succeeded 25000")
        let view = try world.read("get-payment", "/api/v1/payments/\(payment)").json
        #expect(view["status"] as? String == "succeeded")
        #expect((view["amount_refunded"] as? [String: Any])?["value"] as? String == "250.00")
        let rest = try Self.refund(world, [payment, "--yes", "--json"])
        #expect(rest.status == 0, "\(rest.stderr)")
        let report = try #require(rest.json as? [String: Any])
        #expect(report["outcome"] as? String == "succeeded")
        #expect((report["amount"] as? [String: Any])?["value"] as? String == "250.00")
        #expect(try Self.refunded(world, payment) == "refunded 50000")
        #expect(world.yookassa.refunds(of: provider).map(\.value) == ["100.00", "150.00", "250.00"])
        #expect(
            try world.text(
                """
                SELECT string_agg((payload->>'refund_amount_minor') || ':' || (payload->>'amount_refunded_minor')
                                  || ':' || (payload->>'full'), ',' ORDER BY seq) AS v
                FROM events WHERE type = 'payment_refunded'
                """) == "10000:10000:false,15000:25000:false,25000:50000:true")
        // Each refund has its audit trail: who asked, and how it ended.
        #expect(
            try world.text(
                "SELECT string_agg(operator || ' ' || action, ',' ORDER BY id) AS v FROM audit_log WHERE subject = $1",
                [payment])
                == Array(repeating: "alice refund.requested,alice refund.succeeded", count: 3)
                .joined(separator: ","))

        // Nothing is left: refused before YooKassa is asked.
        let again = try Self.refund(world, [payment, "--amount", "1.00", "--yes"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("0.00 RUB is refundable"))
        #expect(world.yookassa.refundsMade == 3)
    }

    @Test func aRefundAboveWhatIsLeftIsRefusedBeforeTheProvider() throws {
        let (world, payment, _) = try Self.paidBooking()
        #expect(try Self.refund(world, [payment, "--amount", "400.00", "--yes"]).status == 0)
        let over = try Self.refund(world, [payment, "--amount", "100.01", "--yes"])
        #expect(over.status == 2)
        #expect(over.stderr.contains("100.00 RUB is refundable"), "\(over.stderr)")
        #expect(world.yookassa.refundsMade == 1)
        #expect(try world.count("SELECT count(*) FROM refunds") == 1)
        for bad in ["--amount=-5", "--amount=1.001", "--amount=0", "--amount=5 RUB"] {
            #expect(try Self.refund(world, [payment, bad, "--yes"]).status == 2, "\(bad)")
        }
        let pending = try world.createBooking().0
        #expect(try Self.refund(world, [pending, "--yes"]).stderr.contains("is pending"))
        #expect(try Self.refund(world, [UUID().uuidString, "--yes"]).status == 2)
    }

    /// Killed after the local row is written and before YooKassa is asked: the same command
    /// again makes the refund, once.
    @Test func aCrashBeforeTheProviderCallIsResumed() throws {
        let (world, payment, provider) = try Self.paidBooking()
        let crashed = try Self.refund(
            world, [payment, "--amount", "200.00", "--yes"], environment: ["PAYFN_CRASH_AT": "refund_before_provider"])
        #expect(crashed.status != 0)
        #expect(try world.value("SELECT status FROM refunds") == "pending")
        #expect(world.yookassa.refundsMade == 0)
        // Another amount is refused while this one is unfinished.
        #expect(try Self.refund(world, [payment, "--amount", "50.00", "--yes"]).stderr.contains("still in progress"))
        let resumed = try Self.refund(world, [payment, "--amount", "200.00", "--yes"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(world.yookassa.refunds(of: provider).map(\.value) == ["200.00"])
        #expect(try Self.refunded(world, payment) == "succeeded 20000")
        #expect(try world.count("SELECT count(*) FROM refunds") == 1)
    }

    /// Killed after YooKassa made the refund and before its answer was recorded; its
    /// notification arrives first and finds the local row by the metadata; the same command
    /// then reports it done. One refund, one event.
    @Test func aCrashAfterTheProviderAnsweredIsMatchedByItsNotification() throws {
        let (world, payment, provider) = try Self.paidBooking()
        let crashed = try Self.refund(
            world, [payment, "--amount", "200.00", "--yes"], environment: ["PAYFN_CRASH_AT": "refund_after_provider"])
        #expect(crashed.status != 0)
        let made = try #require(world.yookassa.refunds(of: provider).first)
        #expect(try world.text("SELECT coalesce(provider_refund_id, 'none') AS v FROM refunds") == "none")
        let notified = try world.notify(try #require(world.yookassa.refundNotification(made.id)))
        #expect(notified.json["outcome"] as? String == "processed")
        #expect(try world.value("SELECT provider_refund_id FROM refunds") == made.id)
        let rerun = try Self.refund(world, [payment, "--amount", "200.00", "--yes"])
        #expect(rerun.status == 0 && rerun.stdout.contains("Already refunded: 200.00 RUB"), "\(rerun.stdout)")
        #expect(world.yookassa.refundsMade == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_refunded'") == 1)
        #expect(try Self.refunded(world, payment) == "succeeded 20000")
    }

    /// Killed after YooKassa made the refund, and no notification yet: the same command asks
    /// again with the same key and gets the same refund.
    @Test func aCrashAfterTheProviderAnsweredIsResumedByTheSameKey() throws {
        let (world, payment, provider) = try Self.paidBooking()
        _ = try Self.refund(world, [payment, "--yes"], environment: ["PAYFN_CRASH_AT": "refund_after_provider"])
        let resumed = try Self.refund(world, [payment, "--yes"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(world.yookassa.refunds(of: provider).count == 1)
        #expect(try Self.refunded(world, payment) == "refunded 50000")
        let late = try world.notify(
            try #require(world.yookassa.refundNotification(world.yookassa.refunds(of: provider)[0].id)))
        #expect(late.json["outcome"] as? String == "no_change")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_refunded'") == 1)
    }

    @Test func noAnswerLeavesItPendingAndTheSameCommandFinishesIt() throws {
        let (world, payment, provider) = try Self.paidBooking()
        world.yookassa.inject(Array(repeating: .init(.status, status: 500), count: 40))
        let failed = try Self.refund(
            world, [payment, "--amount", "10.00", "--yes"], environment: ["YOOKASSA_TIMEOUT_MS": "300"])
        #expect(failed.status == 4)
        #expect(failed.stderr.contains("run the same command again"))
        #expect(try world.value("SELECT status FROM refunds") == "pending")
        world.yookassa.clearFaults()
        #expect(try Self.refund(world, [payment, "--amount", "10.00", "--yes"]).status == 0)
        #expect(world.yookassa.refunds(of: provider).count == 1)
    }

    @Test func aPendingRefundIsCompletedByItsNotification() throws {
        let (world, payment, provider) = try Self.paidBooking()
        world.yookassa.refundsStartPending(true)
        let accepted = try Self.refund(world, [payment, "--yes"])
        #expect(accepted.status == 0 && accepted.stdout.contains("has not finished"), "\(accepted.stderr)")
        #expect(try Self.refunded(world, payment) == "succeeded 0")
        let made = try #require(world.yookassa.refunds(of: provider).first)
        // The notification claims success before the API reaches it: not confirmed, nothing counted.
        let early = try world.notify(try #require(world.yookassa.refundNotification(made.id)))
        #expect(early.json["outcome"] as? String == "not_confirmed")
        world.yookassa.setRefundStatus(made.id, "succeeded")
        let done = try world.notify(try #require(world.yookassa.refundNotification(made.id)))
        #expect(done.json["outcome"] as? String == "processed")
        #expect(try Self.refunded(world, payment) == "refunded 50000")
        // The command, run again, finds it finished and does not ask for a second one.
        #expect(try Self.refund(world, [payment, "--yes"]).status == 2)
        #expect(world.yookassa.refundsMade == 1)
    }

    @Test func aDashboardRefundIsRecordedWithoutAnOperator() throws {
        let (world, payment, provider) = try Self.paidBooking()
        let notified = try world.notify(try #require(world.yookassa.settle(provider, "refund")))
        #expect(notified.json["outcome"] as? String == "processed")
        #expect(try Self.refunded(world, payment) == "refunded 50000")
        #expect(
            try world.count("SELECT count(*) FROM refunds WHERE requested_by IS NULL AND status = 'succeeded'") == 1)
        #expect(try world.count("SELECT count(*) FROM audit_log") == 0)
    }

    @Test func concurrentRequestsForOneAmountMakeOneRefund() throws {
        let (world, payment, provider) = try Self.paidBooking()
        let results = try concurrently(4) { _ in try Self.refund(world, [payment, "--amount", "120.00", "--yes"]) }
            .map { try $0.get() }
        #expect(results.allSatisfy { $0.status == 0 || $0.status == 2 }, "\(results.map(\.stderr))")
        #expect(world.yookassa.refunds(of: provider).map(\.value) == ["120.00"])
        #expect(try Self.refunded(world, payment) == "succeeded 12000")
        // Another refund of the same amount is made only when asked for with --again.
        #expect(try Self.refund(world, [payment, "--amount", "120.00", "--again", "--yes"]).status == 0)
        #expect(try Self.refunded(world, payment) == "succeeded 24000")
    }

    // MARK: Stripe

    /// A deal paid through Stripe: the world and its local payment id.
    static func paidDeal() throws -> (World, String) {
        let world = try World(["PAYCTL_OPERATOR": "bob"])
        #expect(
            try world.outcome(
                world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_r", paymentIntent: "pi_refund_me"))
                == "processed")
        return (
            world, try #require(try world.value("SELECT id FROM payments WHERE provider_payment_id = 'pi_refund_me'"))
        )
    }

    @Test func stripeRefundsThroughTheKeyWithRefundsWrite() throws {
        let (world, payment) = try Self.paidDeal()
        let refunded = try Self.refund(
            world, [payment, "--amount", "19.00", "--yes"], environment: ["STRIPE_API_KEY": world.stripe.refundsKey])
        #expect(refunded.status == 0, "\(refunded.stderr)")
        #expect(try Self.refunded(world, payment) == "succeeded 1900")
        // Stripe's own event for it, delivered later, counts nothing more.
        let event = try #require(world.stripe.eventsOfType("refund.created").first)
        #expect(try world.outcome(event) == "no_change")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_refunded'") == 1)
        #expect(world.stripe.refundsMade == 1)
    }

    @Test func aKeyWithoutRefundsWriteIsNamedAndNothingIsRefunded() throws {
        let (world, payment) = try Self.paidDeal()
        let refused = try Self.refund(world, [payment, "--yes"])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("Refunds: Write (rak_refund_write)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(world.stripe.apiKey) && !refused.stdout.contains(world.stripe.apiKey))
        #expect(try world.value("SELECT status FROM refunds") == "failed")
        #expect(try Self.refunded(world, payment) == "succeeded 0")
        #expect(world.stripe.refundsMade == 0)
    }

    // MARK: Resuming safely

    /// YooKassa forgets an `Idempotence-Key` after a day: a refund resumed later is found among the
    /// payment's refunds by the row id in its metadata, not made again.
    @Test func aRefundResumedAfterTheKeyExpiredIsFoundNotMadeAgain() throws {
        let (world, payment, provider) = try Self.paidBooking()
        _ = try Self.refund(
            world, [payment, "--amount", "50.00", "--yes"], environment: ["PAYFN_CRASH_AT": "refund_after_provider"])
        world.yookassa.forgetIdempotenceKeys()
        let resumed = try Self.refund(world, [payment, "--amount", "50.00", "--yes"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(world.yookassa.refunds(of: provider).map(\.value) == ["50.00"])
        #expect(try Self.refunded(world, payment) == "succeeded 5000")
    }

    /// A refund the provider made is never marked failed because reading it back was refused.
    @Test func aRefusedReadOfAMadeRefundLeavesItPending() throws {
        let (world, payment, _) = try Self.paidBooking()
        world.yookassa.refundsStartPending(true)
        #expect(try Self.refund(world, [payment, "--yes"]).status == 0)
        let refused = try Self.refund(
            world, [payment, "--yes"], environment: ["YOOKASSA_SECRET_KEY": "test_a_key_yookassa_does_not_know"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(try world.value("SELECT status FROM refunds") == "pending")
    }

    /// A refund pending for days and completed by its notification is found done by the same
    /// command the next day (the day counts from its success, not its request).
    @Test func aSlowRefundIsFoundDoneAfterItSucceeds() throws {
        let (world, payment, provider) = try Self.paidBooking()
        world.yookassa.refundsStartPending(true)
        #expect(try Self.refund(world, [payment, "--amount", "70.00", "--yes"]).status == 0)
        try PGConnection(url: world.databaseURL).query("UPDATE refunds SET created_at = now() - interval '3 days'")
        let made = try #require(world.yookassa.refunds(of: provider).first)
        world.yookassa.setRefundStatus(made.id, "succeeded")
        #expect(try world.notify(try #require(world.yookassa.refundNotification(made.id))).statusCode == 200)
        let again = try Self.refund(world, [payment, "--amount", "70.00", "--yes"])
        #expect(again.status == 0 && again.stdout.contains("Already refunded"), "\(again.stdout)")
        #expect(world.yookassa.refundsMade == 1)
    }

    /// Stripe's events can arrive out of order: an older "pending" after "succeeded" changes nothing.
    @Test func anOlderRefundEventAfterANewerOneChangesNothing() throws {
        let (world, payment) = try Self.paidDeal()
        let made = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_refund_me", amount: 1_000))
        #expect(try world.outcome(made) == "processed")
        let refund = try #require(((made["data"] as? [String: Any])?["object"] as? [String: Any])?["id"] as? String)
        let stale = try #require(world.stripe.updateRefund(refund, status: "pending"))
        #expect(try world.outcome(stale) == "no_change")
        #expect(try Self.refunded(world, payment) == "succeeded 1000")
        #expect(try world.value("SELECT status FROM refunds") == "succeeded")
    }
}
