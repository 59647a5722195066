import Core
import Foundation
import StandIns
import Testing

/// What one webhook delivery costs in round trips to PostgreSQL, counted on the function's own
/// connection: the claim travels with `BEGIN`, the record of the event and the domain events with
/// `COMMIT`, so a fresh delivery pays for its claim, its provider's reads and writes, and its commit.
@Suite struct DeliveryRoundTripTests {
    @Test func aFreshStripeDeliveryTakesThreeRoundTripsAndARepeatTwo() throws {
        let world = try World()
        let event = world.stripe.makeEvent("checkout.session.completed", dealID: "deal_trips", amount: 4_900)
        #expect(try world.outcome(event) == "processed")
        #expect(try world.lastRoundTrips() == 3, "BEGIN + claim, the payment locked or inserted, events + COMMIT")
        let version = "SELECT xmin::text || ' ' || updated_at::text AS v FROM webhook_events"
        let written = try world.text(version)
        #expect(try world.outcome(event) == "duplicate")
        #expect(try world.text(version) == written, "a duplicate leaves the row as it was: no new version")
        #expect(try world.lastRoundTrips() == 2, "BEGIN + claim (found, nothing written), COMMIT")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_paid'") == 1)
        #expect(try world.value("SELECT deliveries FROM webhook_events") == "1", "a duplicate writes nothing")
    }

    @Test func aFreshYooKassaNotificationTakesThreeRoundTripsAndARepeatTwo() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        #expect(try world.notify(notification).json["outcome"] as? String == "processed")
        #expect(try world.lastRoundTrips() == 3, "BEGIN + claim, the payment moved, events + COMMIT")
        #expect(try world.notify(notification).json["outcome"] as? String == "duplicate")
        #expect(try world.lastRoundTrips() == 2)
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 1)
    }

    @Test func aFreshStarsPaymentTakesThreeRoundTripsAndARepeatTwo() throws {
        let world = try World()
        let purchase = try #require(
            try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#).0.json["purchase_id"] as? String)
        let update = world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 5001, amount: 50)
        #expect(try world.update(update).json["outcome"] as? String == "processed")
        #expect(try world.lastRoundTrips() == 3, "BEGIN + claim, the purchase succeeded, charge + events + COMMIT")
        #expect(try world.update(update).json["outcome"] as? String == "duplicate")
        #expect(try world.lastRoundTrips() == 2)
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "succeeded")
        #expect(try world.count("SELECT count(*) FROM purchase_charges") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
    }

    @Test func aChargeSeenBeforeUnderAnotherUpdateRunsTheDeliveryAgainAndChangesNothing() throws {
        let world = try World()
        func purchase(_ user: Int) throws -> String {
            try #require(
                try world.invoice(#"{"user_id":\#(user),"item_id":"hint-pack"}"#).0.json["purchase_id"] as? String)
        }
        let (first, second) = (try purchase(5001), try purchase(5002))
        let charge = "stxChargeSeenTwice"
        let paid = world.telegram.successfulPaymentUpdate(purchaseID: first, userID: 5001, amount: 50, chargeID: charge)
        #expect(try world.update(paid).json["outcome"] as? String == "processed")
        // Another update naming the same charge for the second purchase: the one-statement path
        // succeeds it, the charge's key is taken at the commit, and the careful run finds why.
        let again = world.telegram.successfulPaymentUpdate(
            purchaseID: second, userID: 5002, amount: 50, chargeID: charge)
        let answer = try world.update(again)
        #expect(answer.json["outcome"] as? String == "duplicate_charge", "\(answer.body)")
        #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [second]) == "pending")
        #expect(try world.count("SELECT count(*) FROM purchase_charges") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
        let steps = try #require(
            try world.text(
                "SELECT steps::text AS v FROM webhook_events WHERE outcome = 'duplicate_charge'"))
        #expect(steps.contains("transaction run again"))
        #expect(!steps.contains("purchase_succeeded"), "the rolled-back run's steps are not kept: \(steps)")
    }

    @Test func aRepeatAppliedAgainIsCountedAndADuplicateIsNot() throws {
        let world = try World()
        world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_later", paymentIntent: "pi_later")
        let refund = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_later"))
        #expect(try world.outcome(refund) == "unknown_payment", "the payment is not recorded yet: kept open")
        #expect(try world.outcome(refund) == "unknown_payment")
        #expect(try world.value("SELECT deliveries FROM webhook_events") == "2", "applied again, counted")
        let steps = try #require(try world.text("SELECT steps::text AS v FROM webhook_events"))
        #expect(steps.contains("applied again, 2× in all"))
    }
}
