import Core
import Foundation
import StandIns
import Testing

/// `payctl trace`: one timeline and one verdict per payment or purchase, built from real
/// deliveries through the functions and the relay, found by any id an operator holds.
@Suite struct TraceCommandTests {
    static let crm = #"""
        [{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "secret_env": "CRM_WEBHOOK_SECRET",
          "events": ["deal_paid", "booking_paid", "payment_refunded", "deal_refunded"]}]
        """#

    static func trace(_ relaying: Relaying, _ arguments: [String]) throws -> Processes.Result {
        try Processes.run(["trace"] + arguments, environment: relaying.environment)
    }

    /// The `--json` answer of a trace that must succeed.
    static func traced(_ relaying: Relaying, _ id: String, _ more: [String] = []) throws -> [String: Any] {
        let result = try trace(relaying, [id, "--json"] + more)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(result.json as? [String: Any], "\(result.stdout)")
    }

    static func verdict(_ trace: [String: Any]) -> (text: String, next: String) {
        let verdict = trace["verdict"] as? [String: Any]
        return (verdict?["text"] as? String ?? "", verdict?["next"] as? String ?? "")
    }

    static func kinds(_ trace: [String: Any]) -> [String] {
        (trace["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    /// A Stripe deal paid through stripe-webhook and relayed: its relaying, Stripe event id.
    static func paidDeal(_ deal: String, crmAnswers status: Int?) throws -> (Relaying, String) {
        let relaying = try Relaying(sinks: crm, ["STRIPE_EXPECTED_LIVEMODE": "false"])
        if let status { relaying.downstream.setFault(DownstreamFault(status: status), on: "/hooks/crm") }
        let paid = relaying.world.stripe.makeEvent(
            "checkout.session.completed", dealID: deal, paymentIntent: "pi_\(deal)")
        #expect(try relaying.world.deliver(paid).0.statusCode == 200)
        try relaying.drainUntilSettled()
        return (relaying, try #require(paid["id"] as? String))
    }

    @Test func aPaidDealWhoseCRMSinkIsDeadSaysSoAndHowToMendIt() throws {
        let (relaying, event) = try Self.paidDeal("deal-42", crmAnswers: 503)
        let trace = try Self.traced(relaying, "deal-42")
        let delivery = try #require(try relaying.world.value("SELECT id FROM deliveries WHERE sink = 'crm'"))
        let (text, next) = Self.verdict(trace)
        #expect(text.contains("the CRM has not heard of it"), "\(text)")
        #expect(text.contains("dead after 4 attempt(s), last HTTP 503"), "\(text)")
        #expect(next == "fix the receiver, then payctl deliveries retry \(delivery)")
        let kinds = Self.kinds(trace)
        for kind in ["status", "webhook", "event", "delivery", "attempt"] { #expect(kinds.contains(kind), "\(kind)") }
        #expect(kinds.filter { $0 == "attempt" }.count == 4)
        let attempts = (trace["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "attempt" }
        for attempt in attempts {
            #expect(attempt["sink"] as? String == "crm")
            #expect(attempt["delivery_status"] as? String == "dead")
            #expect(attempt["status_code"] as? Int == 503)
            #expect(attempt["error"] as? String == "HTTP 503")
        }
        let times = (trace["timeline"] as? [[String: Any]] ?? []).compactMap { $0["at"] as? String }
        #expect(times == times.sorted(), "oldest first")
        #expect((trace["subject"] as? [String: Any])?["deal_id"] as? String == "deal-42")

        // Every id an operator may hold names the same payment.
        let payment = try #require((trace["subject"] as? [String: Any])?["id"] as? String)
        let eventID = try #require(try relaying.world.text("SELECT id::text AS v FROM events LIMIT 1"))
        for id in [payment, "pi_deal-42", event, delivery, eventID] {
            let other = try Self.traced(relaying, id)
            #expect((other["subject"] as? [String: Any])?["id"] as? String == payment, "\(id)")
        }

        let human = try Self.trace(relaying, ["deal-42"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("Verdict: the CRM has not heard of it"))
        #expect(human.stdout.contains("Next step: fix the receiver, then payctl deliveries retry \(delivery)"))
    }

    @Test func aCleanPathIsDeliveredEverywhere() throws {
        let (relaying, _) = try Self.paidDeal("deal-43", crmAnswers: nil)
        let (text, next) = Self.verdict(try Self.traced(relaying, "deal-43"))
        #expect(text == "succeeded; delivered everywhere: 1 event(s), 1 delivery(ies), all delivered")
        #expect(next == "nothing to do")
    }

    @Test func aStarsPurchaseWhoseBuyerHasNoChatSaysTheBuyerWasNeverNotified() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "buyer", "kind": "telegram", "events": ["purchase_succeeded"], "chat": "buyer"}]"#)
        let world = relaying.world
        let live = ["TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"]
        world.telegram.makeUnreachable(777)
        let (invoice, _) = try world.invoice(#"{"user_id":777,"item_id":"hint-pack"}"#, environment: live)
        let purchase = try #require(invoice.json["purchase_id"] as? String)
        let paid = try world.update(
            world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 777, amount: 50), environment: live)
        #expect(paid.statusCode == 200, "\(paid.body)")
        try relaying.drainUntilSettled()

        let trace = try Self.traced(relaying, purchase)
        let (text, next) = Self.verdict(trace)
        #expect(
            text.hasPrefix(
                "the buyer was never notified: Telegram sink `buyer` found no chat for user 777 (no_recipient"),
            "\(text)")
        #expect(next.contains("payctl deliveries retry"))
        #expect(Self.kinds(trace).contains("webhook") && Self.kinds(trace).contains("attempt"))
        // The charge id names the purchase too.
        let charge = try #require(try world.value("SELECT telegram_payment_charge_id FROM purchase_charges"))
        #expect((try Self.traced(relaying, charge)["subject"] as? [String: Any])?["id"] as? String == purchase)
    }

    @Test func aPaymentWhoseNotificationNeverCameIsFoundByAskingTheProvider() throws {
        let relaying = try Relaying(sinks: Self.crm)
        let world = relaying.world
        let (local, provider) = try world.createBooking()
        _ = try #require(world.yookassa.settle(provider, "succeed"), "paid at YooKassa; the notification is lost")

        let (alone, hint) = Self.verdict(try Self.traced(relaying, local))
        #expect(alone.hasPrefix("YooKassa has not settled it: pending since"), "\(alone)")
        #expect(hint == "payctl trace \(local) --provider")

        let asked = try Self.traced(relaying, provider, ["--provider"])
        let (text, next) = Self.verdict(asked)
        #expect(text == "the notification never came: YooKassa says the money was taken, here it is pending")
        #expect(next == "payctl reconcile --provider yookassa --since 1d --apply", "a window reaching the payment")
        let lines = (asked["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "provider" }
        #expect(lines.contains { ($0["text"] as? String)?.contains("YooKassa payment \(provider): succeeded") == true })
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "pending", "read-only")
    }

    @Test func aPartialRefundShowsItsRequestAnswerAndOperator() throws {
        let relaying = try Relaying(sinks: Self.crm, ["PAYCTL_OPERATOR": "alice"])
        let world = relaying.world
        let (local, provider) = try world.createBooking()
        #expect(try world.notify(try #require(world.yookassa.settle(provider, "succeed"))).statusCode == 200)
        let refund = try Processes.run(
            ["refund", local, "--amount", "100.00", "--yes"], environment: relaying.environment)
        #expect(refund.status == 0, "\(refund.stderr) \(refund.stdout)")
        try relaying.drainUntilSettled()

        let trace = try Self.traced(relaying, local)
        let timeline = trace["timeline"] as? [[String: Any]] ?? []
        let refunds = timeline.filter { $0["kind"] as? String == "refund" }
        #expect(refunds.count == 1)
        #expect(refunds.first?["requested_by"] as? String == "alice")
        #expect(refunds.first?["status"] as? String == "succeeded")
        #expect(refunds.first?["amount_minor"] as? Int == 10_000)
        #expect(timeline.contains { $0["kind"] as? String == "audit" && $0["action"] as? String == "refund.requested" })
        let (text, next) = Self.verdict(trace)
        #expect(
            text.hasPrefix("succeeded, partially refunded 10000 RUB (minor units); delivered everywhere"), "\(text)")
        #expect(next == "nothing to do")
        let appointment = try #require(
            try world.value("SELECT appointment_id FROM payments WHERE id = $1::uuid", [local]))
        #expect((try Self.traced(relaying, appointment)["subject"] as? [String: Any])?["id"] as? String == local)
    }

    @Test func anIDOfSeveralPaymentsListsThem() throws {
        let relaying = try Relaying(sinks: Self.crm)
        let world = relaying.world
        let (first, _) = try world.createBooking("apt-two", kind: "deposit")
        let (second, _) = try world.createBooking("apt-two", kind: "full")
        let result = try Self.trace(relaying, ["apt-two", "--json"])
        #expect(result.status == 1 && result.stderr.contains("apt-two names more than one"))
        let matches = (result.json as? [String: Any])?["matches"] as? [[String: Any]] ?? []
        #expect(Set(matches.compactMap { $0["id"] as? String }) == [first, second])
        #expect(matches.allSatisfy { $0["via"] as? String == "appointment id" })
    }

    @Test func eventsTheRelayHasNotTakenUpAreNotCalledDelivered() throws {
        let relaying = try Relaying(sinks: Self.crm, ["STRIPE_EXPECTED_LIVEMODE": "false"])
        let paid = relaying.world.stripe.makeEvent(
            "checkout.session.completed", dealID: "deal-45", paymentIntent: "pi_45")
        #expect(try relaying.world.deliver(paid).0.statusCode == 200)
        let (text, next) = Self.verdict(try Self.traced(relaying, "deal-45"))
        #expect(text.hasPrefix("the relay has not taken up deal_paid"), "\(text)")
        #expect(next == "is events-relay running? payctl check")
        try relaying.drainUntilSettled()
        #expect(Self.verdict(try Self.traced(relaying, "deal-45")).text.contains("delivered everywhere"))
    }

    @Test func anUnknownIDSaysNothingWasFoundAndWhatToTry() throws {
        let relaying = try Relaying(sinks: Self.crm)
        let result = try Self.trace(relaying, ["no-such-id"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing found for no-such-id"))
        #expect(result.stderr.contains("Next step:"))
        let hostile = try Self.trace(relaying, ["\u{1b}]0;owned\u{07}"])
        #expect(
            hostile.status == 1 && !hostile.stderr.contains("\u{1b}"), "an id is escaped before it reaches a terminal")
    }

    @Test func aLongHistoryIsTracedWhole() throws {
        let (relaying, _) = try Self.paidDeal("deal-44", crmAnswers: nil)
        let world = relaying.world
        let payment = try #require(try world.text("SELECT id::text AS v FROM payments WHERE deal_id = 'deal-44'"))
        // 99 more events of the deal, each delivered after ten attempts: 100 events, 1,000 attempts
        // and more besides the first one's.
        try PGConnection(url: world.databaseURL).query(
            """
            WITH made AS (
                INSERT INTO events (type, aggregate_type, aggregate_id, payload, published_at)
                SELECT 'deal_paid', 'payment', $1, jsonb_build_object('deal_id', 'deal-44', 'n', n), now()
                FROM generate_series(1, 99) AS n RETURNING seq
            ), delivered AS (
                INSERT INTO deliveries (event_seq, sink, aggregate_type, aggregate_id, status, attempts, delivered_at)
                SELECT seq, 'crm', 'payment', $1, 'delivered', 10, now() FROM made RETURNING id
            )
            INSERT INTO delivery_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error)
            SELECT id, a, now(), 3, CASE WHEN a = 10 THEN 204 ELSE 503 END, CASE WHEN a = 10 THEN NULL ELSE 'HTTP 503' END
            FROM delivered, generate_series(1, 10) AS a
            """, [payment])
        let trace = try Self.traced(relaying, "deal-44")
        let kinds = Self.kinds(trace)
        #expect(kinds.filter { $0 == "event" }.count == 100)
        #expect(kinds.filter { $0 == "attempt" }.count == 991)
        #expect(kinds.filter { $0 == "delivery" }.count == 100)
    }
}
