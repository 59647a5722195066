/// The keys of the functions' JSON log lines that tools read: a contract, so payctl (and any
/// log query) reads these keys and never a line's message text.
public enum LogKey {
    /// `yookassa`, `stripe` or `telegram`.
    public static let provider = "provider"
    /// The provider's id of the event (Stripe `evt_…`, YooKassa `event:object`, Telegram `update:N`).
    public static let eventID = "event_id"
    /// The provider's event type (`checkout.session.completed`, `payment.succeeded`, `successful_payment`).
    public static let eventType = "event_type"
    /// The provider object the event is about.
    public static let objectID = "object_id"
    public static let dealID = "deal_id"
    public static let sessionID = "session_id"
    public static let paymentIntentID = "payment_intent_id"
    /// This project's payment or purchase id.
    public static let paymentID = "payment_id"
    public static let purchaseID = "purchase_id"
    /// On a step's line: which step (also the message) and how it went.
    public static let step = "step"
    public static let stepResult = "step_result"
    public static let detail = "detail"
    /// On the one line that ends a delivery (message "webhook done"): its `WebhookOutcome`.
    public static let outcome = "outcome"
    /// On the line of a delivery refused before verification: the `WebhookRejectionStore.Reason`.
    public static let rejection = "rejection"
    /// What to check, on a refusal's line.
    public static let hint = "hint"

    /// The message of the line that ends every delivery that got past verification.
    public static let deliveryDone = "webhook done"
}
