import Base
import Logging

/// One provider's part of the webhook pipeline. `WebhookPipeline` drives every delivery through
/// the same sequence — authenticate, decode, claim the event's key, decide on a repeat, apply,
/// finish the row, log the end, answer — and asks the source only what differs by provider.
package protocol WebhookSource {
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
    package func repeated(_ delivery: Delivery, previous: WebhookOutcome) -> WebhookRepeat {
        previous.reappliable ? .apply : .duplicate
    }

    /// By default `{"outcome": …}`: 200, or 202 for an outcome a redelivery may still change, so a
    /// provider that counts only 200 as delivered sends it again.
    package func answer(_ result: WebhookResult) -> HTTPResponse {
        result.answer ?? .json(result.outcome.reappliable ? 202 : 200, ["outcome": result.outcome.rawValue])
    }
}

/// What a repeated event key leads to.
package enum WebhookRepeat {
    /// Answered as a duplicate; nothing runs.
    case duplicate
    /// Applied again and recorded again (the first delivery had no effect).
    case apply
    /// Applied again for its answer only, the first delivery's record kept (answering has no effect).
    case answerOnly
}

/// How a delivery ended, and what is recorded with it.
package struct WebhookResult {
    package var outcome: WebhookOutcome
    /// The provider object's status and amount as this delivery saw them.
    package var objectStatus: String?
    package var amount: Money?
    /// Why the delivery failed or was set aside, for operators.
    package var error: String?
    /// An answer other than `{"outcome": …}` (Telegram's `answerPreCheckoutQuery`).
    package var answer: HTTPResponse?

    package init(
        outcome: WebhookOutcome, objectStatus: String? = nil, amount: Money? = nil, error: String? = nil,
        answer: HTTPResponse? = nil
    ) {
        self.outcome = outcome
        self.objectStatus = objectStatus
        self.amount = amount
        self.error = error
        self.answer = answer
    }
}

/// A delivery refused before it was verified: counted, logged with a hint, answered with `error`.
package struct WebhookRefusal: Error {
    let reason: WebhookRejectionStore.Reason
    let claim: WebhookRejectionStore.Claim
    let error: APIError
    /// The log line's message and its extra keys (a hint of what to check).
    let message: String
    var metadata: Logger.Metadata

    package init(
        reason: WebhookRejectionStore.Reason, claim: WebhookRejectionStore.Claim, error: APIError, message: String,
        metadata: Logger.Metadata = [:]
    ) {
        self.reason = reason
        self.claim = claim
        self.error = error
        self.message = message
        self.metadata = metadata
    }
}
