import Core
import Foundation
import StandIns
import Testing

/// `payctl stars refunds-due` and `payctl stars refund` against a real database and the Bot API
/// stand-in: charges flagged for refund go back once, a paid purchase refunded becomes `refunded`.
@Suite struct StarsRefundTests {
    /// A paid purchase (charge `charge-a`), a second payment of it (`charge-b`, refund due) and a
    /// payment for no purchase (`charge-g`, refund due).
    static func charged() throws -> (World, purchase: String) {
        let world = try World(["PAYCTL_OPERATOR": "carol"])
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchase = try #require(answer.json["purchase_id"] as? String)
        for (target, charge, outcome) in [
            (purchase, "charge-a", "processed"), (purchase, "charge-b", "refund_due"),
            ("ghost", "charge-g", "unknown_purchase"),
        ] {
            let update = world.telegram.successfulPaymentUpdate(
                purchaseID: target, userID: 5001, amount: 50, chargeID: charge)
            #expect(try world.update(update).json["outcome"] as? String == outcome)
        }
        return (world, purchase)
    }

    static func stars(_ world: World, _ arguments: [String]) throws -> Processes.Result {
        try Processes.run(["stars"] + arguments, environment: world.environment)
    }

    @Test func chargesDueAreListedAndRefundedOnce() throws {
        let (world, purchase) = try Self.charged()
        let listed = try Self.stars(world, ["refunds-due", "--json"])
        #expect(listed.status == 0)
        let due = listed.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(due.map { $0["telegram_payment_charge_id"] as? String } == ["charge-b", "charge-g"])

        let planned = try Self.stars(world, ["refund", "--all-due"])
        #expect(planned.status == 0 && world.telegram.refundedCharges.isEmpty)

        let refunded = try Self.stars(world, ["refund", "--all-due", "--yes"])
        #expect(refunded.status == 0, "\(refunded.stderr)")
        #expect(world.telegram.refundedCharges == ["charge-b", "charge-g"])
        #expect(try Self.stars(world, ["refunds-due", "--json"]).stdout.isEmpty)
        // The purchase keeps its own charge: a second payment's refund does not refund it.
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "succeeded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_refunded'") == 0)
        #expect(try world.count("SELECT count(*) FROM audit_log WHERE action = 'stars.refund.succeeded'") == 2)

        // Again: recorded as refunded, nothing is sent.
        let again = try Self.stars(world, ["refund", "charge-b", "--yes"])
        #expect(again.status == 0 && again.stdout.contains("nothing was sent"), "\(again.stdout)")
    }

    @Test func aPaidPurchaseRefundedBecomesRefundedWithItsEvent() throws {
        let (world, purchase) = try Self.charged()
        let refunded = try Self.stars(world, ["refund", "charge-a", "--yes", "--json"])
        #expect(refunded.status == 0, "\(refunded.stderr)")
        #expect((refunded.json as? [String: Any])?["purchase_status"] as? String == "refunded")
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "refunded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_refunded'") == 1)
        let read = try world.read("get-purchase", "/api/v1/purchase/\(purchase)").json
        #expect(read["status"] as? String == "refunded")
        // Paying the refunded purchase again is a charge to give back, not a new success.
        let paidAgain = try world.update(
            world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 5001, amount: 50, chargeID: "charge-c")
        )
        #expect(paidAgain.json["outcome"] as? String == "refund_due")
    }

    /// Killed after Telegram refunded and before it was recorded: the same command again gets
    /// `CHARGE_ALREADY_REFUNDED`, records it and emits the event once.
    @Test func aCrashAfterTelegramRefundedIsFinishedByTheSameCommand() throws {
        let (world, purchase) = try Self.charged()
        world.telegram.failNext(500, times: 30)
        let failed = try Processes.run(
            ["stars", "refund", "charge-a", "--yes"],
            environment: world.environment.merging(["TELEGRAM_TIMEOUT_MS": "300"]) { _, new in new })
        #expect(failed.status == 4 && failed.stdout.contains("run the same command again"), "\(failed.stdout)")
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "succeeded")
        world.telegram.clearFailures()
        // Telegram refunds it, but the command dies before recording it.
        let crashed = try Processes.run(
            ["stars", "refund", "charge-a", "--yes"],
            environment: world.environment.merging(["PAYFN_CRASH_AT": "stars_refund_after_provider"]) { _, new in new })
        #expect(crashed.status != 0)
        #expect(world.telegram.refundedCharges == ["charge-a"])
        let finished = try Self.stars(world, ["refund", "charge-a", "--yes"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "refunded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_refunded'") == 1)
    }

    @Test func unknownChargesAndTelegramsRefusalsAreClear() throws {
        let (world, _) = try Self.charged()
        let unknown = try Self.stars(world, ["refund", "charge-zzz", "--yes"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no charge charge-zzz"))
        #expect(try Self.stars(world, ["refund", "--yes"]).status != 0, "a charge id or --all-due is required")
        // A charge Telegram does not know (made elsewhere): refused, nothing recorded.
        _ = try world.update(
            world.telegram.successfulPaymentUpdate(
                purchaseID: "ghost-2", userID: 5002, amount: 50, chargeID: "charge-x"))
        try PGConnection(url: world.databaseURL).query(
            "UPDATE purchase_charges SET user_id = '5003' WHERE telegram_payment_charge_id = 'charge-x'")
        let refused = try Self.stars(world, ["refund", "charge-x", "--yes"])
        #expect(refused.status == 4 && refused.stdout.contains("CHARGE_NOT_FOUND"), "\(refused.stdout)")
        #expect(try world.count("SELECT count(*) FROM purchase_charges WHERE refunded_at IS NOT NULL") == 0)
    }
}
