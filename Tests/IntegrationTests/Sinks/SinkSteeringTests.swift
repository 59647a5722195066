import Core
import Foundation
import StandIns
import Testing

/// Sinks an operator steers: pause and resume lose nothing and keep the order, a sink failing
/// every attempt (or answering 410 Gone) long enough is disabled once and said so, and a sink's
/// dead deliveries since a time are recovered in order.
@Suite struct SinkSteeringTests {
    static let crm = #"""
        [{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["deal_paid"], "secret_env": "CRM_WEBHOOK_SECRET"}]
        """#

    static func payctl(_ relaying: Relaying, _ arguments: [String]) throws -> Processes.Result {
        try Processes.run(arguments, environment: relaying.environment)
    }

    /// Stripe deals paid through stripe-webhook, in this order.
    static func pay(_ relaying: Relaying, _ deals: [String]) throws {
        for deal in deals {
            let event = relaying.world.stripe.makeEvent(
                "checkout.session.completed", dealID: deal, paymentIntent: "pi_\(deal)")
            #expect(try relaying.world.deliver(event).0.statusCode == 200)
        }
    }

    /// The deals of the `deal_paid` webhooks the CRM took, in the order it took them.
    static func taken(_ relaying: Relaying) -> [String] {
        relaying.taken.compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any]).flatMap {
                ($0["data"] as? [String: Any])?["deal_id"] as? String
            }
        }
    }

    @Test func aPausedSinkAccruesWithoutAttemptsAndResumesInOrder() throws {
        let relaying = try Relaying(sinks: Self.crm, ["STRIPE_EXPECTED_LIVEMODE": "false", "PAYCTL_OPERATOR": "bob"])
        let paused = try Self.payctl(relaying, ["sinks", "pause", "crm", "--reason", "CRM migration"])
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(paused.stdout.contains("Sink crm is paused (was active)"))
        try Self.pay(relaying, ["deal-1", "deal-2", "deal-3"])
        try relaying.drain()
        try relaying.drain()
        #expect(try relaying.world.count("SELECT count(*) FROM delivery_attempts") == 0, "nothing attempted")
        #expect(
            try relaying.deliveries() == [
                "crm deal_paid pending 0", "crm deal_paid pending 0", "crm deal_paid pending 0",
            ])
        #expect(relaying.taken.isEmpty)

        let listed = try Self.payctl(relaying, ["sinks", "--json"])
        let crm = try #require(listed.json as? [String: Any], "\(listed.stdout)")
        #expect(crm["state"] as? String == "paused")
        #expect(crm["state_changed_by"] as? String == "bob" && crm["reason"] as? String == "CRM migration")
        #expect((crm["deliveries"] as? [String: Any])?["pending"] as? Int == 3)
        #expect(try CheckTests.check(relaying.world).levels["sinks_paused"] == "warning")

        let resumed = try Self.payctl(relaying, ["sinks", "resume", "crm"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("active again (was paused): 3 waiting"))
        try relaying.drainUntilSettled()
        #expect(Self.taken(relaying) == ["deal-1", "deal-2", "deal-3"], "in order, none lost")
        #expect(try relaying.world.count("SELECT count(*) FROM delivery_attempts") == 3, "each counted once")
        #expect(try CheckTests.check(relaying.world).levels["sinks_paused"] == "ok")
    }

    @Test func aSinkFailingEveryAttemptLongEnoughIsDisabledOnceUntilResumed() throws {
        let relaying = try Relaying(
            sinks: Self.crm,
            [
                "STRIPE_EXPECTED_LIVEMODE": "false", "SINK_DISABLE_AFTER": "600ms",
                "RELAY_RETRY_SCHEDULE": Array(repeating: "100ms", count: 20).joined(separator: ","),
            ])
        relaying.downstream.setFault(DownstreamFault(status: 503), on: "/hooks/crm")
        try Self.pay(relaying, ["deal-1"])
        var disabled = 0
        let end = Date().addingTimeInterval(5)
        while Date() < end, try relaying.world.value("SELECT state FROM sink_states WHERE sink = 'crm'") != "disabled" {
            disabled += try relaying.drain(budget: 300).sinksDisabled
            usleep(60_000)
        }
        #expect(try relaying.world.value("SELECT state FROM sink_states WHERE sink = 'crm'") == "disabled")
        #expect(disabled == 1, "the drain says so once")
        let lines = relaying.log.lines.filter { $0.contains("\"sink_disabled\"") }
        #expect(lines.count == 1, "one operational line")
        #expect(lines.first?.contains("failed every attempt since") == true)

        let attempts = try relaying.world.count("SELECT count(*) FROM delivery_attempts")
        usleep(120_000)
        try relaying.drain(budget: 300)
        #expect(try relaying.world.count("SELECT count(*) FROM delivery_attempts") == attempts, "it waits")
        #expect(try relaying.world.value("SELECT status FROM deliveries") == "retrying", "nothing is given up")

        let check = try CheckTests.check(relaying.world)
        #expect(check.status == 2 && check.levels["sinks_disabled"] == "critical")
        let listed = try Self.payctl(relaying, ["sinks"])
        #expect(listed.stdout.contains("crm webhook disabled"))
        #expect(listed.stdout.contains("next step     payctl sinks resume crm"))

        relaying.downstream.clearFaults()
        let resumed = try Self.payctl(relaying, ["sinks", "resume", "crm"])
        #expect(resumed.stdout.contains("active again (was disabled)"))
        try relaying.drainUntilSettled()
        #expect(Self.taken(relaying) == ["deal-1"])
        #expect(try relaying.world.value("SELECT failing_since FROM sink_states WHERE sink = 'crm'") == nil)
    }

    @Test func resumingADisabledSinkReopensWhatDiedMeanwhileInOrder() throws {
        let relaying = try Relaying(
            sinks: Self.crm.replacingOccurrences(of: #"["deal_paid"]"#, with: #"["deal_payment_failed", "deal_paid"]"#),
            ["STRIPE_EXPECTED_LIVEMODE": "false", "SINK_DISABLE_AFTER": "700ms", "RELAY_RETRY_SCHEDULE": "20ms"])
        relaying.downstream.setFault(DownstreamFault(status: 503), on: "/hooks/crm")
        // One deal's events, each given up after two attempts while the receiver is down.
        let world = relaying.world
        for type in ["payment_intent.payment_failed", "checkout.session.completed"] {
            let event = world.stripe.makeEvent(type, dealID: "deal-9", paymentIntent: "pi_deal-9")
            #expect(try world.deliver(event).0.statusCode == 200)
            try relaying.drainUntilSettled()
        }
        #expect(try world.count("SELECT count(*) FROM deliveries WHERE status = 'dead'") == 2)
        usleep(800_000)
        try Self.pay(relaying, ["deal-10"])
        let end = Date().addingTimeInterval(3)
        while Date() < end, try world.value("SELECT state FROM sink_states WHERE sink = 'crm'") != "disabled" {
            try relaying.drain(budget: 200)
            usleep(30_000)
        }
        #expect(try world.value("SELECT state FROM sink_states WHERE sink = 'crm'") == "disabled")

        relaying.downstream.clearFaults()
        let dead = try world.count("SELECT count(*) FROM deliveries WHERE status = 'dead'")
        #expect(dead >= 2)
        let resumed = try Self.payctl(relaying, ["sinks", "resume", "crm", "--json"])
        let report = (resumed.json as? [String: Any])?["resumed"] as? [String: Any]
        #expect(report?["revived"] as? Int == dead, "every delivery that died during the run: \(resumed.stdout)")
        try relaying.drainUntilSettled()
        #expect(try world.count("SELECT count(*) FROM deliveries WHERE status <> 'delivered'") == 0)
        let types = relaying.taken.compactMap(\.type)
        #expect(
            types.firstIndex(of: "deal_payment_failed").map { $0 < (types.firstIndex(of: "deal_paid") ?? -1) } == true,
            "deal-9's events in their order: \(types)")
    }

    @Test func aBuyerWhoCannotBeWrittenToDoesNotDisableTheSink() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "buyer", "kind": "telegram", "events": ["purchase_succeeded"], "chat": "buyer"}]"#,
            ["SINK_DISABLE_AFTER": "300ms"])
        let world = relaying.world
        let live = ["TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"]
        world.telegram.makeUnreachable(778)
        for _ in 0..<2 {
            let (invoice, _) = try world.invoice(#"{"user_id":778,"item_id":"hint-pack"}"#, environment: live)
            let purchase = try #require(invoice.json["purchase_id"] as? String)
            let paid = try world.update(
                world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 778, amount: 50), environment: live
            )
            #expect(paid.statusCode == 200, "\(paid.body)")
            #expect(try relaying.drain().sinksDisabled == 0)
            usleep(400_000)
        }
        #expect(try world.count("SELECT count(*) FROM deliveries WHERE status = 'dead'") == 2)
        #expect(try world.count("SELECT count(*) FROM sink_states WHERE state = 'disabled'") == 0)
    }

    /// A CRM sink disabled after 500 ms of 410s, whose receiver has answered deal-1 with 410.
    static func goneOnce() throws -> Relaying {
        let relaying = try Relaying(
            sinks: crm, ["STRIPE_EXPECTED_LIVEMODE": "false", "SINK_GONE_AFTER": "500ms", "SINK_DISABLE_AFTER": "7d"])
        relaying.downstream.setFault(DownstreamFault(status: 410), on: "/hooks/crm")
        try pay(relaying, ["deal-1"])
        try relaying.drain()
        return relaying
    }

    @Test func aSinkAnswering410ForLongEnoughIsDisabled() throws {
        let relaying = try Self.goneOnce()
        #expect(
            try relaying.world.value("SELECT state FROM sink_states WHERE sink = 'crm'") == "active",
            "not yet: \(relaying.log.lines)")
        usleep(600_000)
        try Self.pay(relaying, ["deal-2"])
        #expect(try relaying.drain().sinksDisabled == 1)
        #expect(
            try relaying.world.text("SELECT state || ': ' || reason AS v FROM sink_states")?.hasPrefix(
                "disabled: answered 410 Gone to every attempt since") == true)
    }

    @Test func aDeliveryBetween410sClearsTheRun() throws {
        let relaying = try Self.goneOnce()
        relaying.downstream.clearFaults()
        try Self.pay(relaying, ["deal-2"])
        try relaying.drain()
        usleep(600_000)
        relaying.downstream.setFault(DownstreamFault(status: 410), on: "/hooks/crm")
        try Self.pay(relaying, ["deal-3"])
        #expect(try relaying.drain().sinksDisabled == 0, "the run of 410s began again at deal-3")
        #expect(try relaying.world.value("SELECT state FROM sink_states WHERE sink = 'crm'") == "active")
    }

    @Test func recoveringDeadDeliveriesSinceATimeSendsThemInOrder() throws {
        let relaying = try Relaying(sinks: Self.crm, ["STRIPE_EXPECTED_LIVEMODE": "false"])
        relaying.downstream.setFault(DownstreamFault(status: 400), on: "/hooks/crm")
        try Self.pay(relaying, ["deal-1", "deal-2"])
        try relaying.drainUntilSettled()
        #expect(try relaying.deliveries() == ["crm deal_paid dead 1", "crm deal_paid dead 1"])
        // An old dead delivery, outside the window, stays as it is.
        try Self.pay(relaying, ["deal-0"])
        try relaying.drainUntilSettled()
        try PGConnection(url: relaying.world.databaseURL).query(
            """
            UPDATE deliveries SET created_at = now() - interval '3 hours'
            WHERE event_seq = (SELECT seq FROM events WHERE payload->>'deal_id' = 'deal-0')
            """)
        relaying.downstream.clearFaults()

        let recovered = try Self.payctl(relaying, ["deliveries", "retry", "--sink", "crm", "--since", "2h", "--json"])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect((recovered.json as? [String: Any])?["retried"] as? Int == 2)
        try relaying.drainUntilSettled()
        #expect(Self.taken(relaying) == ["deal-1", "deal-2"])
        #expect(try relaying.world.count("SELECT count(*) FROM deliveries WHERE status = 'dead'") == 1)

        let none = try Self.payctl(relaying, ["deliveries", "retry", "--sink", "crm", "--status", "retrying"])
        #expect(none.status == 0 && none.stdout.hasPrefix("0 retrying delivery(ies)"))
        let wrong = try Self.payctl(relaying, ["deliveries", "retry", "--sink", "crm", "--status", "pending"])
        #expect(wrong.status != 0)
    }

    @Test func pausingAnUnknownSinkIsRefused() throws {
        let relaying = try Relaying(sinks: Self.crm)
        let result = try Self.payctl(relaying, ["sinks", "pause", "nobody"])
        #expect(result.status == 1 && result.stderr.contains("no sink nobody"))
        #expect(try relaying.world.count("SELECT count(*) FROM sink_states") == 0)
        let huge = try Self.payctl(
            relaying, ["deliveries", "retry", "--sink", "crm", "--since", "999999999999999999d"])
        #expect(
            huge.status != 0 && huge.stderr.contains("since"), "a window out of range is a usage error, not a crash")
    }
}
