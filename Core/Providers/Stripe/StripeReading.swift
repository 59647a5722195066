import Base
import Domain

/// What a verified Stripe event means for a deal's payment: which payment it is about, where
/// its status moves, and which automation event it causes.
struct StripeReading {
    /// The status to move to (nil: the event moves no status) and the automation event.
    struct Effect {
        let status: PaymentStatus?
        let eventType: DomainEventType
        /// Extra part of the dedup key, for events that may happen more than once per payment.
        let eventKey: String?
        var failureCategory: String? = nil
    }

    let dealID: String?
    let sessionID: String?
    let paymentIntentID: String?
    let amount: Money?
    let objectStatus: String?
    let effect: Effect?
    /// For a `refund.*` event: the refund, counted by the refund ledger.
    let refund: ProviderRefund?
    private let invoiceID: String?
    private let subscriptionID: String?
    private let chargeID: String?

    init(_ event: Stripe.Event) {
        let object = event.data.object
        let currency = object.currency.flatMap { Currency($0.uppercased()) }
        func money(_ minor: Int64?) -> Money? {
            minor.flatMap { value in currency.map { Money(minorUnits: value, currency: $0) } }
        }
        var sessionID: String?
        var paymentIntentID = object.payment_intent?.id
        var invoiceID: String?
        var subscriptionID: String?
        var chargeID: String?
        var amount: Money?
        var effect: Effect?
        var refund: ProviderRefund?
        var metadata = object.metadata ?? [:]
        switch event.type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed":
            sessionID = object.id
            amount = money(object.amount_total)
            if event.type == "checkout.session.async_payment_failed" {
                effect = Effect(
                    status: .canceled, eventType: .dealPaymentFailed, eventKey: event.id,
                    failureCategory: "async_payment_failed")
            } else if object.payment_status == "paid" || object.payment_status == "no_payment_required" {
                effect = Effect(status: .succeeded, eventType: .dealPaid, eventKey: nil)
            } else {
                effect = Effect(status: .pending, eventType: .dealAwaitingPayment, eventKey: event.id)
            }
        case "payment_intent.succeeded":
            paymentIntentID = object.id
            amount = money(object.amount_received ?? object.amount)
            effect = Effect(status: .succeeded, eventType: .dealPaid, eventKey: nil)
        case "payment_intent.payment_failed":
            // A failed PaymentIntent can still succeed with another method: no final status.
            paymentIntentID = object.id
            amount = money(object.amount)
            let category = object.last_payment_error?.decline_code ?? object.last_payment_error?.code ?? "unknown"
            effect = Effect(status: nil, eventType: .dealPaymentFailed, eventKey: event.id, failureCategory: category)
        case "refund.created", "refund.updated", "refund.failed", "charge.refund.updated":
            // Each refund has its own events (also one made in the Dashboard); `charge.refunded`
            // names no refund, so refunds are counted from these alone.
            paymentIntentID = object.payment_intent?.id
            chargeID = object.charge?.id
            amount = money(object.amount)
            refund = Stripe.Refund.providerRefund(
                id: object.id, status: object.status, amount: object.amount, currency: object.currency,
                metadata: object.metadata)
            metadata = [:]
        case "invoice.payment_succeeded":
            invoiceID = object.id
            amount = money(object.amount_paid)
            let details = object.parent?.subscription_details ?? object.subscription_details
            subscriptionID = object.subscription?.id ?? details?.subscription?.id
            if metadata["deal_id"] == nil, let inherited = details?.metadata?["deal_id"] {
                metadata["deal_id"] = inherited
            }
            effect = Effect(status: .succeeded, eventType: .invoicePaid, eventKey: object.id)
        default:
            break
        }
        self.dealID = metadata["deal_id"].flatMap { $0.isEmpty ? nil : BoundedText.prefix($0, 255) }
        self.sessionID = sessionID
        self.paymentIntentID = paymentIntentID
        self.invoiceID = invoiceID
        self.subscriptionID = subscriptionID
        self.chargeID = chargeID
        self.amount = amount
        self.objectStatus = object.payment_status ?? object.status
        self.effect = effect
        self.refund = refund
    }

    /// The event types that change a payment: what reconciliation lists.
    static let handledTypes = [
        "checkout.session.completed", "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed", "payment_intent.succeeded", "payment_intent.payment_failed",
        "invoice.payment_succeeded", "refund.created", "refund.updated", "refund.failed", "charge.refund.updated",
    ]

    /// The payment these events share: the PaymentIntent, else the session, else the invoice.
    var paymentKey: String? { paymentIntentID ?? sessionID ?? invoiceID }

    /// The automation event's payload beyond the payment's own fields.
    func eventPayload(_ event: Stripe.Event) -> [String: JSONValue] {
        var payload: [String: JSONValue] = ["stripe_event_id": .string(event.id), "livemode": .bool(event.livemode)]
        for (key, value) in [
            ("session_id", sessionID), ("payment_intent_id", paymentIntentID), ("invoice_id", invoiceID),
            ("subscription_id", subscriptionID), ("charge_id", chargeID), ("failure_category", effect?.failureCategory),
        ] {
            if let value { payload[key] = .string(value) }
        }
        return payload
    }
}
