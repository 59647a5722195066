/// The keys of the functions' JSON log lines that tools read: a contract, so payctl (and any
/// log query) reads these keys and never a line's message text.
package enum LogKey {
    /// The request's id (the gateway's `X-Request-ID`, or one made here), written before the message.
    package static let requestID = "request_id"
    /// `yookassa`, `stripe` or `telegram`.
    package static let provider = "provider"
    /// The provider's id of the event (Stripe `evt_…`, YooKassa `event:object`, Telegram `update:N`).
    package static let eventID = "event_id"
    /// The provider's event type (`checkout.session.completed`, `payment.succeeded`, `successful_payment`).
    package static let eventType = "event_type"
    /// The provider object the event is about.
    package static let objectID = "object_id"
    package static let dealID = "deal_id"
    package static let sessionID = "session_id"
    package static let paymentIntentID = "payment_intent_id"
    /// This project's payment or purchase id.
    package static let paymentID = "payment_id"
    package static let purchaseID = "purchase_id"
    /// On a step's line: which step (also the message) and how it went.
    package static let step = "step"
    package static let stepResult = "step_result"
    package static let detail = "detail"
    /// On the one line that ends a delivery (message "webhook done"): its `WebhookOutcome`.
    package static let outcome = "outcome"
    /// On the line of a delivery refused before verification: the `WebhookRejectionStore.Reason`.
    package static let rejection = "rejection"
    /// What to check, on a refusal's line.
    package static let hint = "hint"

    /// On the relay's lines: the sink, the `deliveries` row, the attempt (from 1), the domain
    /// event's id and type, and the `DeliveryStatus` the attempt left the delivery in.
    package static let sink = "sink"
    package static let deliveryID = "delivery_id"
    package static let attempt = "attempt"
    package static let domainEventID = "domain_event_id"
    package static let domainEventType = "domain_event_type"
    package static let deliveryStatus = "delivery_status"

    /// The message of the relay's line for each attempt at a delivery.
    package static let deliveryAttempted = "delivery attempted"

    /// The message of the relay's one line when it disables a sink (with the sink and `detail`).
    package static let sinkDisabled = "sink_disabled"

    /// The message of the line that ends every delivery that got past verification.
    package static let deliveryDone = "webhook done"
}
