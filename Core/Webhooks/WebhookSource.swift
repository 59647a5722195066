import Logging

/// One provider's part of the webhook pipeline. `WebhookPipeline` drives every delivery through
/// the same sequence — authenticate, decode, claim the event's key, decide on a repeat, apply,
/// finish the row, log the end, answer — and asks the source only what differs by provider.
protocol WebhookSource {
    /// A delivery read and, where the provider needs it, confirmed: what `apply` works from.
    associatedtype Delivery

    /// Whose webhooks these are.
    var provider: Provider { get }

    /// Checks that the request comes from the provider, before its body is believed; returns how.
    /// A refusal is counted in `webhook_rejections` by the pipeline, never stored as an event.
    func authenticate(_ request: HTTPRequest, trail: inout WebhookTrail) throws(WebhookRefusal) -> Verification

    /// Reads the delivery from the verified request, outside the transaction (this is where a
    /// provider's API is asked to confirm it). Its ids are added to the trail.
    func decode(_ request: HTTPRequest, verification: Verification, trail: inout WebhookTrail) throws -> Delivery

    /// The `webhook_events` row the delivery claims: provider, event key, type, ids.
    func arrival(_ delivery: Delivery, verification: Verification) -> WebhookEventStore.Arrival

    /// What a delivery whose key was claimed before, with `previous` outcome, does.
    func repeated(_ delivery: Delivery, previous: WebhookOutcome) -> WebhookRepeat

    /// Applies the delivery's effect; runs inside the transaction that claimed its key.
    func apply(_ delivery: Delivery, connection: PGConnection, trail: inout WebhookTrail) throws -> WebhookResult

    /// The answer for the provider.
    func answer(_ result: WebhookResult) -> HTTPResponse
}

extension WebhookSource {
    /// By default a repeat is a duplicate, unless the first delivery applied and settled nothing.
    func repeated(_ delivery: Delivery, previous: WebhookOutcome) -> WebhookRepeat {
        previous.reappliable ? .apply : .duplicate
    }

    /// By default `{"outcome": …}`: 200, or 202 for an outcome a redelivery may still change, so a
    /// provider that counts only 200 as delivered sends it again.
    func answer(_ result: WebhookResult) -> HTTPResponse {
        result.answer ?? .json(result.outcome.reappliable ? 202 : 200, ["outcome": result.outcome.rawValue])
    }
}

/// What a repeated event key leads to.
enum WebhookRepeat {
    /// Answered as a duplicate; nothing runs.
    case duplicate
    /// Applied again and recorded again (the first delivery had no effect).
    case apply
    /// Applied again for its answer only, the first delivery's record kept (answering has no effect).
    case answerOnly
}

/// How a delivery ended, and what is recorded with it.
struct WebhookResult {
    var outcome: WebhookOutcome
    /// The provider object's status and amount as this delivery saw them.
    var objectStatus: String? = nil
    var amount: Money? = nil
    /// Why the delivery failed or was set aside, for operators.
    var error: String? = nil
    /// An answer other than `{"outcome": …}` (Telegram's `answerPreCheckoutQuery`).
    var answer: HTTPResponse? = nil
}

/// A delivery refused before it was verified: counted, logged with a hint, answered with `error`.
struct WebhookRefusal: Error {
    let reason: WebhookRejectionStore.Reason
    let claim: WebhookRejectionStore.Claim
    let error: APIError
    /// The log line's message and its extra keys (a hint of what to check).
    let message: String
    var metadata: Logger.Metadata = [:]
}
