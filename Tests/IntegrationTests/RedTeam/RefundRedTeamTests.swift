import Core
import Foundation
import StandIns
import Testing

/// Round three, finding 6: a refund made in the provider's dashboard, carrying none of our
/// metadata, was credited to an operator's unfinished request of the same amount, so the
/// operator's own refund was never made and the audit trail named the wrong person.
@Suite struct RefundRedTeamTests {
    @Test func finding6_aDashboardRefundIsNeverCreditedToAnOperatorsUnfinishedRequest() throws {
        let (world, payment, provider) = try RefundTests.paidBooking()
        let crashed = try RefundTests.refund(
            world, [payment, "--yes"], environment: ["PAYFN_CRASH_AT": "refund_before_provider"])
        #expect(crashed.status != 0)
        #expect(world.yookassa.refundsMade == 0)

        // The same amount given back in YooKassa's dashboard: no refund_id in its metadata.
        let notified = try world.notify(try #require(world.yookassa.settle(provider, "refund")))
        #expect(notified.json["outcome"] as? String == "processed")
        #expect(
            try world.count(
                "SELECT count(*) FROM refunds WHERE requested_by IS NULL AND status = 'succeeded' AND provider_refund_id IS NOT NULL"
            ) == 1, "recorded as a dashboard refund of its own")
        #expect(
            try world.text(
                "SELECT requested_by || ' ' || status || ' ' || coalesce(provider_refund_id, 'none') AS v FROM refunds WHERE requested_by IS NOT NULL"
            )
                == "alice pending none", "the operator's request is still unfinished")

        // The operator's request goes to the provider, which has nothing left to give back.
        let again = try RefundTests.refund(world, [payment, "--yes"])
        #expect(!again.stdout.contains("Already refunded"), "\(again.stdout)")
        #expect(world.yookassa.refundsMade == 1, "only the dashboard's refund was made")
        #expect(
            try world.text("SELECT status || ' ' || error AS v FROM refunds WHERE requested_by = 'alice'")?
                .hasPrefix("failed") == true, "the operator learns the provider refused it")
        #expect(
            try world.count("SELECT count(*) FROM audit_log WHERE action = 'refund.failed' AND operator = 'alice'") == 1
        )
        #expect(try RefundTests.refunded(world, payment) == "refunded 50000")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_refunded'") == 1)
    }
}
