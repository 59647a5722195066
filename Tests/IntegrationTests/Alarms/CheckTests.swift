import Core
import Foundation
import StandIns
import Testing

/// `payctl check` against a real database: each finding raised by the real flow that causes it
/// (or by its age moved back), with Nagios exit codes.
@Suite struct CheckTests {
    static func check(
        _ world: World, _ arguments: [String] = [], environment: [String: String] = [:]
    ) throws
        -> (status: Int32, levels: [String: String], stdout: String)
    {
        let result = try Processes.run(
            ["check", "--json"] + arguments, environment: world.environment.merging(environment) { _, new in new })
        let report = (result.json as? [String: Any]) ?? [:]
        var levels: [String: String] = [:]
        for finding in report["findings"] as? [[String: Any]] ?? [] {
            levels[finding["check"] as? String ?? ""] = finding["level"] as? String
        }
        return (result.status, levels, result.stdout)
    }

    static func age(_ world: World, _ sql: String) throws { try PGConnection(url: world.databaseURL).query(sql) }

    @Test func aQuietShopIsOK() throws {
        let world = try World()
        let (status, levels, _) = try Self.check(world)
        #expect(status == 0)
        #expect(levels.count == AlarmCheck.allCases.count && levels.values.allSatisfy { $0 == "ok" })
        let human = try Processes.run(["check"], environment: world.environment)
        #expect(human.stdout.hasPrefix("PAYMENTS OK - 0 critical, 0 warning | signature_failures=0;1;20"))
    }

    @Test func signatureFailuresWarnThenGoCriticalByThreshold() throws {
        let world = try World()
        try world.deliver(world.stripe.makeEvent("payment_intent.succeeded", dealID: "d1"), secret: "whsec_wrong")
        var result = try Self.check(world)
        #expect(result.status == 1 && result.levels["signature_failures"] == "warning")
        result = try Self.check(world, ["--threshold", "signature_failures=1:1"])
        #expect(result.status == 2 && result.levels["signature_failures"] == "critical")
        result = try Self.check(world, environment: ["CHECK_SIGNATURE_FAILURES": "5:10"])
        #expect(result.status == 0)
        let human = try Processes.run(["check"], environment: world.environment)
        #expect(human.stdout.contains("WARNING signature_failures 1 (warning 1, critical 20): payctl summary"))
    }

    @Test func processingErrorsAndStarsRefundsDue() throws {
        let world = try World()
        try world.deliver(world.stripe.makeEvent("payment_intent.succeeded", dealID: nil))
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchase = try #require(answer.json["purchase_id"] as? String)
        for charge in ["c-1", "c-2"] {
            _ = try world.update(
                world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 5001, amount: 50, chargeID: charge)
            )
        }
        let (status, levels, _) = try Self.check(world)
        #expect(status == 1)
        // deal_id_missing and the second Stars payment (refund_due) are both problems.
        #expect(levels["processing_errors"] == "warning" && levels["stars_refunds_due"] == "warning")
    }

    @Test func stuckPaymentsCountPastThePendingAge() throws {
        let world = try World()
        _ = try world.createBooking()
        #expect(try Self.check(world).levels["stuck_pending"] == "ok")
        try Self.age(world, "UPDATE payments SET created_at = now() - interval '3 hours'")
        #expect(try Self.check(world).levels["stuck_pending"] == "warning")
        #expect(try Self.check(world, ["--pending-age", "4h"]).levels["stuck_pending"] == "ok")
        #expect(try Self.check(world, environment: ["CHECK_PENDING_AGE": "4h"]).levels["stuck_pending"] == "ok")
    }

    @Test func deadAndOldDeliveries() throws {
        let relaying = try Relaying(sinks: RelayTests.crm, ["RELAY_RETRY_SCHEDULE": "1h"])
        relaying.downstream.setFault(DownstreamFault(status: 500), on: "/hooks/crm")
        _ = try relaying.paidBooking()
        try relaying.drain()
        #expect(try Self.check(relaying.world).levels["oldest_undelivered_seconds"] == "ok")
        try Self.age(relaying.world, "UPDATE deliveries SET created_at = now() - interval '10 minutes'")
        #expect(try Self.check(relaying.world).levels["oldest_undelivered_seconds"] == "warning")
        try Self.age(relaying.world, "UPDATE deliveries SET created_at = now() - interval '1 hour'")
        let critical = try Self.check(relaying.world)
        #expect(critical.status == 2 && critical.levels["oldest_undelivered_seconds"] == "critical")

        relaying.downstream.setFault(DownstreamFault(status: 410), on: "/hooks/crm")
        try Self.age(relaying.world, "UPDATE deliveries SET next_attempt_at = now()")
        try relaying.drain()
        let dead = try Self.check(relaying.world)
        #expect(dead.levels["dead_deliveries"] == "warning" && dead.levels["oldest_undelivered_seconds"] == "ok")
    }

    @Test func refundsPendingAtTheProviderForAnHour() throws {
        let (world, payment, _) = try RefundTests.paidBooking()
        world.yookassa.refundsStartPending(true)
        #expect(try Processes.run(["refund", payment, "--yes"], environment: world.environment).status == 0)
        #expect(try Self.check(world).levels["refunds_pending"] == "ok")
        try Self.age(world, "UPDATE refunds SET created_at = now() - interval '2 hours'")
        #expect(try Self.check(world).levels["refunds_pending"] == "warning")
    }

    @Test func unknownWhenTheDatabaseOrTheThresholdsCannotBeUsed() throws {
        let world = try World()
        let down = try Processes.run(
            ["check"],
            environment: world.environment.merging(["DATABASE_URL": "postgresql://127.0.0.1:9/none"]) { _, new in new })
        #expect(down.status == 3 && down.stdout.hasPrefix("PAYMENTS UNKNOWN - the database cannot be used"))
        for bad in [["--threshold", "dead_deliveries=5:1"], ["--threshold", "nothing=1:2"], ["--window", "soon"]] {
            let result = try Processes.run(["check"] + bad, environment: world.environment)
            #expect(result.status == (bad[0] == "--window" ? 64 : 3), "\(bad)")
        }
        let badEnvironment = try Processes.run(
            ["check"], environment: world.environment.merging(["CHECK_DEAD_DELIVERIES": "0:1"]) { _, new in new })
        #expect(badEnvironment.status == 3 && badEnvironment.stdout.contains("CHECK_DEAD_DELIVERIES"))
    }
}
