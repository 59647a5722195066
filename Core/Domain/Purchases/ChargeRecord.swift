/// One row of `purchase_charges`: a Stars payment Telegram reported, kept by its charge id.
package struct ChargeRecord: Sendable, Equatable, Encodable {
    package let chargeID: String
    package let purchaseID: String
    /// The buyer's Telegram user id, as the update gave it (`unknown` when it gave none).
    package let userID: String
    package let amount: Money
    /// Flagged to go back: a second payment of one invoice, or one that fits no purchase.
    package let refundDue: Bool
    package let reason: String?
    package let createdAt: String
    package let refundedAt: String?

    enum CodingKeys: String, CodingKey {
        case chargeID = "telegram_payment_charge_id"
        case purchaseID = "purchase_id"
        case userID = "user_id"
        case amount = "stars"
        case refundDue = "refund_due"
        case reason
        case createdAt = "created_at"
        case refundedAt = "refunded_at"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chargeID, forKey: .chargeID)
        try container.encode(purchaseID, forKey: .purchaseID)
        try container.encode(userID, forKey: .userID)
        try container.encode(amount.minorUnits, forKey: .amount)
        try container.encode(refundDue, forKey: .refundDue)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(refundedAt, forKey: .refundedAt)
    }
}
