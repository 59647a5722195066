import Core
import Foundation
import StandIns
import Testing

/// Round three, finding 5: a reconciliation run that could not read a provider recorded nothing,
/// so `payctl check` kept showing the last clean run.
@Suite struct ReconcileRedTeamTests {
    private static func reconcile(_ world: World, stripeKey: String) throws -> Processes.Result {
        try Processes.run(
            ["reconcile", "--provider", "stripe"],
            environment: world.environment.merging(["STRIPE_API_KEY": stripeKey, "RECONCILE_GRACE": "0s"]) { _, new in
                new
            })
    }

    @Test func finding5_aRunThatCouldNotReadItsProviderIsRecordedAndWarns() throws {
        let world = try World()
        #expect(try Self.reconcile(world, stripeKey: world.stripe.apiKey).status == 0)
        #expect(try CheckTests.check(world).levels["reconcile_failures"] == "ok")

        let failed = try Self.reconcile(world, stripeKey: "rk_test_not_a_key_stripe_knows")
        #expect(failed.status == 4)
        #expect(
            try world.count("SELECT count(*) FROM reconcile_runs WHERE provider = 'stripe' AND error IS NOT NULL") == 1)
        let (status, levels, _) = try CheckTests.check(world)
        #expect(status == 1 && levels["reconcile_failures"] == "warning", "\(levels)")
        #expect(levels["reconcile_differences"] == "ok", "the failed run hides no difference")
        let human = try Processes.run(["check"], environment: world.environment)
        #expect(human.stdout.contains("reconcile_failures 1") && !human.stdout.contains("rk_test_not"))

        #expect(try Self.reconcile(world, stripeKey: world.stripe.apiKey).status == 0)
        #expect(try CheckTests.check(world).levels["reconcile_failures"] == "ok", "a run that read it clears it")
    }

    @Test func finding5_noSuccessfulRunWithinTheMaxAgeWarns() throws {
        let world = try World()
        #expect(try Self.reconcile(world, stripeKey: world.stripe.apiKey).status == 0)
        #expect(try CheckTests.check(world).levels["reconcile_stale"] == "ok")
        try CheckTests.age(world, "UPDATE reconcile_runs SET finished_at = now() - interval '3 hours'")
        #expect(try CheckTests.check(world).levels["reconcile_stale"] == "warning")
        #expect(try CheckTests.check(world, ["--reconcile-max-age", "4h"]).levels["reconcile_stale"] == "ok")
        #expect(
            try CheckTests.check(world, environment: ["CHECK_RECONCILE_MAX_AGE": "4h"]).levels["reconcile_stale"]
                == "ok")
        // Failing runs since do not count as read.
        #expect(try Self.reconcile(world, stripeKey: "rk_test_not_a_key_stripe_knows").status == 4)
        #expect(try CheckTests.check(world).levels["reconcile_stale"] == "warning")
    }
}
