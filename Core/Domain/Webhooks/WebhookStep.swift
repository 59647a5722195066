/// The name of one step of a webhook delivery: logged as the line's message (and under `step`),
/// and stored in `webhook_events.steps`. The names SPEC §6 gives literally ("Stripe webhook
/// received", "signature verification failed", "Events cabinet ignored") are among them.
package struct WebhookStep: RawRepresentable, Hashable, Sendable {
    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    /// "Stripe webhook received", "YooKassa webhook received", "Telegram webhook received".
    package static func received(_ provider: Provider) -> WebhookStep {
        WebhookStep(rawValue: "\(provider.displayName) webhook received")
    }

    package static let signatureVerified = WebhookStep(rawValue: "signature verified")
    package static let signatureFailed = WebhookStep(rawValue: "signature verification failed")
    package static let confirmedWithAPI = WebhookStep(rawValue: "confirmed with the YooKassa API")
    package static let statusConfirmed = WebhookStep(rawValue: "status confirmed")
    package static let eventConfirmed = WebhookStep(rawValue: "event confirmed")
    package static let deduplicated = WebhookStep(rawValue: "deduplicated")
    /// The delivery's transaction began again (a conflict, or a key another delivery took meanwhile):
    /// the steps logged before this one were rolled back.
    package static let ranAgain = WebhookStep(rawValue: "transaction run again")
    package static let notHandled = WebhookStep(rawValue: "event type not handled")
    package static let cabinetIgnored = WebhookStep(rawValue: "Events cabinet ignored")
    package static let dealIDMissing = WebhookStep(rawValue: "deal_id missing from metadata")
    package static let statusRead = WebhookStep(rawValue: "status read")
    package static let paymentLookup = WebhookStep(rawValue: "payment lookup")
    package static let purchaseLookup = WebhookStep(rawValue: "purchase lookup")
    package static let amountChecked = WebhookStep(rawValue: "amount checked")
    package static let persisted = WebhookStep(rawValue: "persisted")
    package static let statusUnchanged = WebhookStep(rawValue: "status unchanged")
    package static let statusNotMovedBack = WebhookStep(rawValue: "status not moved back")
    package static let statusUpdated = WebhookStep(rawValue: "status updated")
    package static let automationEventEmitted = WebhookStep(rawValue: "automation event emitted")
    package static let subscriptionExtended = WebhookStep(rawValue: "subscription extended")
    package static let subscriptionRevoked = WebhookStep(rawValue: "subscription revoked")
    package static let refundRecorded = WebhookStep(rawValue: "refund recorded")
    package static let preCheckoutAnswered = WebhookStep(rawValue: "pre-checkout answered")
    package static let chargeRecorded = WebhookStep(rawValue: "charge recorded")
    package static let paidTwice = WebhookStep(rawValue: "second payment of a paid purchase")
    package static let purchaseSucceeded = WebhookStep(rawValue: "purchase_succeeded")
}
