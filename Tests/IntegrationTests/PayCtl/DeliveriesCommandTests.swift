import Core
import Foundation
import StandIns
import Testing

/// What an operator sees of automations: `payctl deliveries`, `show`, `summary` and `tail --deal`.
@Suite struct DeliveriesCommandTests {
    static let sinks = #"""
        [{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["deal_paid"], "secret_env": "CRM_WEBHOOK_SECRET"},
         {"name": "broken", "kind": "webhook", "url": "DOWNSTREAM/hooks/broken", "events": ["deal_paid"], "secret_env": "CRM_WEBHOOK_SECRET"}]
        """#

    /// A paid Stripe deal delivered to `crm` and dead at `broken`; returns the Stripe event id.
    private func seeded() throws -> (Relaying, String) {
        let relaying = try Relaying(sinks: Self.sinks, ["STRIPE_EXPECTED_LIVEMODE": "false"])
        relaying.downstream.setFault(DownstreamFault(status: 400), on: "/hooks/broken")
        let world = relaying.world
        let paid = world.stripe.makeEvent("checkout.session.completed", dealID: "deal-77", paymentIntent: "pi_77")
        let (answer, _) = try world.deliver(paid)
        #expect(answer.statusCode == 200, "\(answer.body)")
        try relaying.drainUntilSettled()
        return (relaying, try #require(paid["id"] as? String))
    }

    @Test func listsDeliveriesWithEveryKeyForScripts() throws {
        let (relaying, _) = try seeded()
        let result = try Processes.run(["deliveries", "--json"], environment: relaying.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let items = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(items.count == 2)
        for item in items {
            for key in [
                "id", "event_id", "event_type", "aggregate_id", "sink", "status", "attempts", "last_status_code",
                "last_error", "next_attempt_at",
            ] {
                #expect(item.keys.contains(key), "missing \(key)")
            }
        }
        let dead = try Processes.run(
            ["deliveries", "--status", "dead", "--sink", "broken"], environment: relaying.environment)
        #expect(dead.stdout.contains("broken dead deal_paid") && dead.stdout.contains("last HTTP 400"))
    }

    @Test func retryingSaysWhatItChanged() throws {
        let (relaying, _) = try seeded()
        let id = try #require(try relaying.world.value("SELECT id FROM deliveries WHERE sink = 'broken'"))
        let one = try Processes.run(["deliveries", "retry", id], environment: relaying.environment)
        #expect(one.status == 0 && one.stdout.contains("Delivery \(id) is due now"))
        #expect(try relaying.world.value("SELECT status FROM deliveries WHERE id = \(id)") == "retrying")
        let unknown = try Processes.run(["deliveries", "retry", "999999"], environment: relaying.environment)
        #expect(unknown.status == 1 && unknown.stderr.contains("does not exist"))
        let usage = try Processes.run(["deliveries", "retry", "--since", "1d"], environment: relaying.environment)
        #expect(usage.status != 0)
    }

    @Test func showListsEachDeliveryUnderItsEvent() throws {
        let (relaying, event) = try seeded()
        let human = try Processes.run(["show", event], environment: relaying.environment)
        #expect(human.stdout.contains("deal_paid"))
        #expect(human.stdout.contains("crm delivered deal_paid"))
        #expect(human.stdout.contains("broken dead deal_paid"))
        let json = try Processes.run(["show", event, "--json"], environment: relaying.environment)
        let story = try #require(json.json as? [String: Any])
        #expect((story["deliveries"] as? [Any])?.count == 2)
    }

    @Test func summaryCountsPerSinkWithNextSteps() throws {
        let (relaying, _) = try seeded()
        let result = try Processes.run(["summary", "--since", "1h"], environment: relaying.environment)
        #expect(result.status == 1, "a dead delivery is a problem")
        #expect(result.stdout.contains("Deliveries to sinks:"))
        #expect(result.stdout.contains("broken  delivered 0  pending 0  retrying 0  dead 1"))
        #expect(result.stdout.contains("crm  delivered 1"))
        #expect(result.stdout.contains("payctl deliveries retry --sink broken`"))
        let json = try Processes.run(["summary", "--since", "1h", "--json"], environment: relaying.environment)
        let sinks = try #require((json.json as? [String: Any])?["sinks"] as? [[String: Any]])
        #expect(sinks.map { $0["sink"] as? String } == ["broken", "crm"])
    }

    @Test func tailOfADealShowsItsDeliveries() throws {
        let (relaying, _) = try seeded()
        let result = try Processes.run(
            ["tail", "--deal", "deal-77", "--no-follow", "--since", "1h"], environment: relaying.environment)
        #expect(result.stdout.contains("delivery #"))
        #expect(result.stdout.contains("crm delivered deal_paid"))
    }
}
