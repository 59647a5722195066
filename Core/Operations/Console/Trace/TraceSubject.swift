import Base
import Domain

/// What a trace is of: a YooKassa or Stripe payment, or a Telegram Stars purchase, as recorded.
package struct TraceSubject: Sendable, Encodable {
    package let type: AggregateType
    /// Our payment id (a UUID) or purchase id.
    package let id: String
    package let provider: Provider
    /// The provider's payment id (YooKassa's payment, Stripe's PaymentIntent or Session), or the
    /// Stars charge id of a paid purchase.
    package let providerPaymentID: String?
    package let status: String
    package let amountMinor: Int64
    package let currency: String
    /// `booking`, `subscription` or `deal` for a payment; the item for a purchase.
    package let purpose: String
    package let dealID: String?
    package let appointmentID: String?
    package let userID: String?
    package let createdAt: String
    package let updatedAt: String
    /// Minor units refunded and counted here.
    package let refundedMinor: Int64
    /// For a booking payment that succeeded after another had paid the booking (and that one is
    /// not refunded in full): that payment.
    package let paidTwiceAfter: String?
    /// When it was made, in Unix seconds.
    let createdEpoch: Int64

    enum CodingKeys: String, CodingKey {
        case type, id, provider, status, currency, purpose
        case providerPaymentID = "provider_payment_id"
        case amountMinor = "amount_minor"
        case dealID = "deal_id"
        case appointmentID = "appointment_id"
        case userID = "user_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case refundedMinor = "refunded_minor"
        case paidTwiceAfter = "paid_twice_after"
    }

    /// Whether it still waits for its provider to settle it.
    var isOpen: Bool { PaymentStatus(rawValue: status)?.isOpen ?? (status == "pending") }

    /// Whether the money was taken (and not all of it given back).
    var isPaid: Bool { status == PaymentStatus.succeeded.rawValue }

    /// An amount of this subject's currency for people: `300 RUB (minor units)`.
    func amount(_ minor: Int64) -> String { "\(minor) \(currency) (minor units)" }

    /// Every column-for-column encode, `null` when empty, so scripts can rely on the shape.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.rawValue, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(provider.rawValue, forKey: .provider)
        try container.encode(providerPaymentID, forKey: .providerPaymentID)
        try container.encode(status, forKey: .status)
        try container.encode(amountMinor, forKey: .amountMinor)
        try container.encode(currency, forKey: .currency)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(dealID, forKey: .dealID)
        try container.encode(appointmentID, forKey: .appointmentID)
        try container.encode(userID, forKey: .userID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(refundedMinor, forKey: .refundedMinor)
        try container.encode(paidTwiceAfter, forKey: .paidTwiceAfter)
    }
}
