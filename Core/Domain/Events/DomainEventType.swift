/// Every kind of domain event the payment functions write to `events`: the one list of what an
/// automation (a sink, a CRM hook) can receive. Each payload carries the aggregate's ids, and
/// `amount_minor` with `currency`; the notes say what else.
package struct DomainEventType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    package var description: String { rawValue }

    // MARK: Payments (aggregate `payment`)

    /// A YooKassa payment exists and the buyer can be sent to pay: `provider`.
    package static let paymentStarted = DomainEventType(rawValue: "payment_started")
    /// A booking's payment succeeded: `appointment_id`, `service_slug`, `kind`.
    package static let bookingPaid = DomainEventType(rawValue: "booking_paid")
    /// A booking's payment succeeded after another payment had already paid that booking (two
    /// callers each paid): `paid_before`, the earlier payment's id. This one is to be refunded.
    package static let bookingPaidTwice = DomainEventType(rawValue: "booking_paid_twice")
    /// A subscription's payment succeeded: `plan_id`, `user_id`.
    package static let subscriptionPaid = DomainEventType(rawValue: "subscription_paid")
    /// A refund took back the period a subscription payment bought: `user_id`, `plan_id`, the
    /// subscription's new `expires_at`.
    package static let subscriptionRevoked = DomainEventType(rawValue: "subscription_revoked")
    /// A payment was canceled: `failure_category`, `party`.
    package static let paymentFailed = DomainEventType(rawValue: "payment_failed")
    /// A refund succeeded: `refund_id`, `refund_amount_minor`, `amount_refunded_minor` (all so
    /// far) and `full` (the payment is now refunded in full).
    package static let paymentRefunded = DomainEventType(rawValue: "payment_refunded")

    // MARK: Stripe deals (aggregate `payment`, with `deal_id` and the Stripe ids)

    /// A deal's Checkout Session or PaymentIntent was paid.
    package static let dealPaid = DomainEventType(rawValue: "deal_paid")
    /// A Checkout Session completed with a delayed method still to pay.
    package static let dealAwaitingPayment = DomainEventType(rawValue: "deal_awaiting_payment")
    /// A deal's payment attempt failed: `failure_category`.
    package static let dealPaymentFailed = DomainEventType(rawValue: "deal_payment_failed")
    /// A refund of a deal's payment succeeded: as `payment_refunded`.
    package static let dealRefunded = DomainEventType(rawValue: "deal_refunded")
    /// A subscription invoice was paid: `invoice_id`, `subscription_id`.
    package static let invoicePaid = DomainEventType(rawValue: "invoice_paid")

    // MARK: Stars purchases (aggregate `purchase`, with `purchase_id`, `user_id`, `item_id`, `status`)

    /// A pay link was made for a new purchase: `mode`.
    package static let purchaseInvoiceCreated = DomainEventType(rawValue: "purchase_invoice_created")
    /// A pending purchase's pay link was handed out again.
    package static let purchaseInvoiceReused = DomainEventType(rawValue: "purchase_invoice_reused")
    /// A purchase was paid: `previous_status`, `metadata` (source, charge id), `ms_from_invoice`.
    package static let purchaseSucceeded = DomainEventType(rawValue: "purchase_succeeded")
    /// A purchase was marked failed: `previous_status`, `reason`.
    package static let purchaseFailed = DomainEventType(rawValue: "purchase_failed")
    /// A charge must be refunded (paid twice, or for no purchase): `telegram_payment_charge_id`, `reason`.
    package static let purchaseRefundDue = DomainEventType(rawValue: "purchase_refund_due")
    /// A paid purchase's charge was refunded by an operator: `telegram_payment_charge_id`.
    package static let purchaseRefunded = DomainEventType(rawValue: "purchase_refunded")

    /// Every kind, for sink configuration checks and documentation.
    package static let all: [DomainEventType] = [
        .paymentStarted, .bookingPaid, .bookingPaidTwice, .subscriptionPaid, .subscriptionRevoked, .paymentFailed,
        .paymentRefunded,
        .dealPaid, .dealAwaitingPayment, .dealPaymentFailed, .dealRefunded, .invoicePaid,
        .purchaseInvoiceCreated, .purchaseInvoiceReused, .purchaseSucceeded, .purchaseFailed, .purchaseRefundDue,
        .purchaseRefunded,
    ]
}
