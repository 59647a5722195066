/// The name of one step of a webhook delivery: logged as the line's message (and under `step`),
/// and stored in `webhook_events.steps`. The names SPEC §6 gives literally ("Stripe webhook
/// received", "signature verification failed", "Events cabinet ignored") are among them.
public struct WebhookStep: RawRepresentable, Hashable, Sendable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// "Stripe webhook received", "YooKassa webhook received", "Telegram webhook received".
    public static func received(_ provider: Provider) -> WebhookStep { WebhookStep(rawValue: "\(provider.displayName) webhook received") }

    public static let signatureVerified = WebhookStep(rawValue: "signature verified")
    public static let signatureFailed = WebhookStep(rawValue: "signature verification failed")
    public static let confirmedWithAPI = WebhookStep(rawValue: "confirmed with the YooKassa API")
    public static let statusConfirmed = WebhookStep(rawValue: "status confirmed")
    public static let eventConfirmed = WebhookStep(rawValue: "event confirmed")
    public static let deduplicated = WebhookStep(rawValue: "deduplicated")
    public static let notHandled = WebhookStep(rawValue: "event type not handled")
    public static let cabinetIgnored = WebhookStep(rawValue: "Events cabinet ignored")
    public static let dealIDMissing = WebhookStep(rawValue: "deal_id missing from metadata")
    public static let statusRead = WebhookStep(rawValue: "status read")
    public static let paymentLookup = WebhookStep(rawValue: "payment lookup")
    public static let purchaseLookup = WebhookStep(rawValue: "purchase lookup")
    public static let amountChecked = WebhookStep(rawValue: "amount checked")
    public static let persisted = WebhookStep(rawValue: "persisted")
    public static let statusUnchanged = WebhookStep(rawValue: "status unchanged")
    public static let statusNotMovedBack = WebhookStep(rawValue: "status not moved back")
    public static let statusUpdated = WebhookStep(rawValue: "status updated")
    public static let automationEventEmitted = WebhookStep(rawValue: "automation event emitted")
    public static let preCheckoutAnswered = WebhookStep(rawValue: "pre-checkout answered")
    public static let chargeRecorded = WebhookStep(rawValue: "charge recorded")
    public static let paidTwice = WebhookStep(rawValue: "second payment of a paid purchase")
    public static let purchaseSucceeded = WebhookStep(rawValue: "purchase_succeeded")
}

/// How one step went: logged under `step_result`, stored beside the step's name. A step that
/// decides the delivery's outcome records that outcome as its result.
public struct StepResult: RawRepresentable, Hashable, Sendable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The step went as it should.
    public static let ok = StepResult(rawValue: "ok")
    /// Deduplication: the first delivery of the event.
    public static let new = StepResult(rawValue: "new")
    /// Deduplication: a later delivery of an event whose first one may run again.
    public static let redelivered = StepResult(rawValue: "redelivered")
    /// The notification's copy of the object differs from the API's.
    public static let differs = StepResult(rawValue: "differs")
    /// The API does not know the object.
    public static let notFound = StepResult(rawValue: "not_found")
    /// The API could not be asked.
    public static let unavailable = StepResult(rawValue: "unavailable")
    /// A pre-checkout query answered no.
    public static let declined = StepResult(rawValue: "declined")
    /// A verified body that is not an event.
    public static let invalidEvent = StepResult(rawValue: "invalid_event")
    /// An event that names no payment and amount.
    public static let noPayment = StepResult(rawValue: "no_payment")

    /// The result of the step that decided `outcome`.
    public static func decided(_ outcome: WebhookOutcome) -> StepResult { StepResult(rawValue: outcome.rawValue) }
}
