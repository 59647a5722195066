import Core
import Foundation
import StandIns
import Synchronization
import Testing

/// Round three, finding 2: the first caller to open an appointment's payment owned it, so a
/// stranger (signed in, or anonymous with another service) kept every other caller from paying
/// for that booking, renewing the block with one request an hour.
@Suite struct BookingRedTeamTests {
    private static func booking(_ appointment: String, service: String = "haircut") -> String {
        #"{"appointment_id":"\#(appointment)","service_slug":"\#(service)","kind":"deposit"}"#
    }

    @Test func finding2_noCallerCanKeepAnotherFromPayingForABooking() throws {
        let world = try World()
        let mallory = try world.createIntent(Self.booking("apt-1001"), caller: "mallory")
        #expect(mallory.statusCode == 201)
        let alice = try world.createIntent(Self.booking("apt-1001"), caller: "alice")
        #expect(alice.statusCode == 201, "\(alice.body)")
        let alicePayment = try #require(alice.json["payment_id"] as? String)
        #expect(alicePayment != mallory.json["payment_id"] as? String)
        let confirmation = (alice.json["confirmation"] as? [String: Any])?["confirmation_url"] as? String
        #expect(
            confirmation != nil
                && confirmation != (mallory.json["confirmation"] as? [String: Any])?["confirmation_url"] as? String)

        let again = try world.createIntent(Self.booking("apt-1001"), caller: "alice")
        #expect(again.statusCode == 200 && again.json["payment_id"] as? String == alicePayment, "her own, again")

        // Anonymous: another service no longer blocks, and anonymous callers share one payment.
        let other = try world.createIntent(Self.booking("apt-2002", service: "massage-60"))
        #expect(other.statusCode == 201, "\(other.body)")
        let buyer = try world.createIntent(Self.booking("apt-2002"))
        #expect(buyer.statusCode == 201, "\(buyer.body)")
        let repeated = try world.createIntent(Self.booking("apt-2002"))
        #expect(
            repeated.statusCode == 200 && repeated.json["payment_id"] as? String == buyer.json["payment_id"] as? String)
    }

    @Test func finding2_twoPaymentsForOneBookingThatBothSucceedAreFoundAndRefundable() throws {
        let world = try World(["PAYCTL_OPERATOR": "alice"])
        let (first, firstProvider) = try world.createBooking("apt-3003", caller: "mallory")
        let (second, secondProvider) = try world.createBooking("apt-3003", caller: "alice")
        #expect(first != second)

        let paid = try world.notify(try #require(world.yookassa.settle(firstProvider, "succeed")))
        #expect(paid.statusCode == 200 && paid.json["outcome"] as? String == "processed")
        let twice = try world.notify(try #require(world.yookassa.settle(secondProvider, "succeed")))
        #expect(twice.statusCode == 200 && twice.json["outcome"] as? String == "refund_due", "\(twice.body)")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'booking_paid_twice' AND aggregate_id = $1 AND payload->>'paid_before' = $2",
                [second, first]) == 1)

        #expect(try CheckTests.check(world).levels["paid_twice"] == "warning")
        let plan = try RefundTests.refund(world, [second])
        #expect(plan.status == 0 && plan.stdout.contains("Paid twice: payment \(first)"), "\(plan.stdout)")
        #expect(try !RefundTests.refund(world, [first]).stdout.contains("Paid twice"), "the first payment stands")
        let refunded = try RefundTests.refund(world, [second, "--yes"])
        #expect(refunded.status == 0, "\(refunded.stderr)")
        #expect(try RefundTests.refunded(world, second) == "refunded 50000")
        #expect(try CheckTests.check(world).levels["paid_twice"] == "ok")
    }

    @Test func finding2_twoSuccessesOfOneBookingCommittingTogetherAreToldApart() throws {
        let world = try World()
        let rounds = 6
        var notifications: [[UInt8]] = []
        for round in 0..<rounds {
            for caller in ["mallory", "alice"] {
                let (_, provider) = try world.createBooking("apt-race-\(round)", caller: caller)
                notifications.append(try #require(world.yookassa.settle(provider, "succeed")))
            }
        }
        let outcomes = Mutex<[String]>([])
        let delivered = notifications
        DispatchQueue.concurrentPerform(iterations: delivered.count) { index in
            let outcome = (try? world.notify(delivered[index]))?.json["outcome"] as? String ?? "failed"
            outcomes.withLock { $0.append(outcome) }
        }
        #expect(
            outcomes.withLock { $0.sorted() } == Array(repeating: "processed", count: rounds)
                + Array(repeating: "refund_due", count: rounds))
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == rounds)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid_twice'") == rounds)
        #expect(try CheckTests.check(world).levels["paid_twice"] == "critical", "six paid twice, all counted")
    }

    @Test func finding2_aBookingWhoseFirstPaymentWentBackIsPaidOnceMore() throws {
        let world = try World(["PAYCTL_OPERATOR": "alice"])
        let (first, firstProvider) = try world.createBooking("apt-5005", caller: "mallory")
        #expect(try world.notify(try #require(world.yookassa.settle(firstProvider, "succeed"))).statusCode == 200)
        #expect(try RefundTests.refund(world, [first, "--yes"]).status == 0)
        let (_, secondProvider) = try world.createBooking("apt-5005", caller: "alice")
        let paid = try world.notify(try #require(world.yookassa.settle(secondProvider, "succeed")))
        #expect(paid.json["outcome"] as? String == "processed", "the booking's money went back: this is its payment")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 2)
        #expect(try CheckTests.check(world).levels["paid_twice"] == "ok")
    }

    @Test func finding2_anOpenPaymentPastTheConfirmationWindowIsReadBackAndReplaced() throws {
        let world = try World()
        let first = try world.createIntent(Self.booking("apt-4004"))
        let firstID = try #require(first.json["payment_id"] as? String)
        let provider = try #require(
            try world.value("SELECT provider_payment_id FROM payments WHERE id = $1::uuid", [firstID]))
        let age = "UPDATE payments SET created_at = now() - interval '2 hours' WHERE id = $1::uuid"

        // Still open at YooKassa past the window: it is the one returned.
        try PGConnection(url: world.databaseURL).query(age, [firstID])
        let still = try world.createIntent(Self.booking("apt-4004"))
        #expect(still.statusCode == 200 && still.json["payment_id"] as? String == firstID)

        // YooKassa ended it and its notification never came: it is recorded, and a new one is made.
        _ = world.yookassa.settle(provider, "cancel", reason: "expired_on_confirmation")
        let fresh = try world.createIntent(Self.booking("apt-4004"))
        #expect(fresh.statusCode == 201, "\(fresh.body)")
        #expect(fresh.json["payment_id"] as? String != firstID)
        #expect(
            try world.text("SELECT status || ' ' || failure_category AS v FROM payments WHERE id = $1::uuid", [firstID])
                == "canceled expired_on_confirmation")
        #expect(
            try world.value("SELECT verification FROM webhook_events WHERE object_id = $1", [provider]) == "reconcile")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_failed'") == 1)
    }
}
