import Base
import FoundationEssentials

/// The period one subscription payment bought (or, once revoked, took back), with the
/// subscription's end after it: what `subscription_paid` and `subscription_revoked` carry.
package struct SubscriptionPeriod: Sendable, Equatable {
    package let paymentID: UUID
    package let userID: String
    package let planID: String
    package let periodDays: Int
    /// When the period starts: now, or the end of the time already paid for (RFC 3339).
    package let activatedAt: String
    /// The subscription's end once this period is added (or revoked).
    package let expiresAt: String

    /// The fields it adds to a domain event's payload.
    var payload: [String: JSONValue] {
        [
            "user_id": .string(userID), "plan_id": .string(planID), "period_days": .int(Int64(periodDays)),
            "activated_at": .string(activatedAt), "expires_at": .string(expiresAt),
        ]
    }
}
