import Core
import Foundation
import Testing

/// Subscriptions with periods: a paid subscription payment adds its plan's period once, a renewal
/// stacks after the current end, a refund takes its period back.
@Suite struct SubscriptionTests {
    /// Pays a new `premium` subscription payment of `user` in the stand-in; returns its provider id.
    private func pay(_ world: World, user: String) throws -> String {
        #expect(try world.createIntent(#"{"plan_id":"premium","user_id":"\#(user)"}"#).statusCode == 201)
        let provider = try #require(
            try world.value(
                "SELECT provider_payment_id FROM payments WHERE user_id = $1 AND status = 'pending'", [user]))
        let answer = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        #expect(answer.statusCode == 200, "\(answer.body)")
        return provider
    }

    private func payload(_ world: World, _ type: String, payment provider: String) throws -> [String: Any] {
        let text = try #require(
            try world.value(
                """
                SELECT payload FROM (
                    SELECT e.payload::text AS payload FROM events e JOIN payments p ON e.aggregate_id = p.id::text
                    WHERE e.type = $1 AND p.provider_payment_id = $2) AS found
                """, [type, provider]))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func days(from start: Any?, to end: Any?) throws -> Double {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let startText = try #require(start as? String)
        let endText = try #require(end as? String)
        let from = try #require(format.date(from: startText))
        let to = try #require(format.date(from: endText))
        return to.timeIntervalSince(from) / 86_400
    }

    @Test func aPaymentAddsItsPeriodOnceAndARenewalStacks() throws {
        let world = try World()
        let first = try pay(world, user: "user-s1")
        let paid = try payload(world, "subscription_paid", payment: first)
        #expect(paid["period_days"] as? Int == 30)
        #expect(paid["plan_id"] as? String == "premium")
        #expect(try days(from: paid["activated_at"], to: paid["expires_at"]) == 30)

        // A redelivery of the same notification adds nothing.
        _ = try world.notify(try #require(world.yookassa.settle(first, "succeed")))
        #expect(try world.count("SELECT count(*) FROM subscription_periods") == 1)

        let second = try pay(world, user: "user-s1")
        let renewed = try payload(world, "subscription_paid", payment: second)
        #expect(renewed["activated_at"] as? String == paid["expires_at"] as? String)
        #expect(try days(from: paid["activated_at"], to: renewed["expires_at"]) == 60)
        #expect(try world.count("SELECT count(*) FROM subscriptions WHERE user_id = 'user-s1'") == 1)
        #expect(
            try world.value(
                """
                SELECT expires FROM (
                    SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires
                    FROM subscriptions WHERE user_id = 'user-s1') AS found
                """) == renewed["expires_at"] as? String)
    }

    @Test func aRefundRevokesThePeriodItsPaymentBought() throws {
        let world = try World()
        let first = try pay(world, user: "user-s2")
        let second = try pay(world, user: "user-s2")
        let paid = try payload(world, "subscription_paid", payment: first)

        let notification = try #require(world.yookassa.settle(second, "refund"))
        let refund = try world.notify(notification)
        #expect(refund.statusCode == 200, "\(refund.body)")
        let revoked = try payload(world, "subscription_revoked", payment: second)
        #expect(revoked["expires_at"] as? String == paid["expires_at"] as? String)
        #expect(revoked["period_days"] as? Int == 30)
        #expect(try world.count("SELECT count(*) FROM subscription_periods WHERE revoked_at IS NOT NULL") == 1)

        // The refund's redelivery revokes nothing more.
        _ = try world.notify(notification)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'subscription_revoked'") == 1)
    }

    @Test func bookingsTouchNoSubscription() throws {
        let world = try World()
        let (_, provider) = try world.createBooking()
        _ = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        #expect(try world.count("SELECT count(*) FROM subscriptions") == 0)
    }
}
