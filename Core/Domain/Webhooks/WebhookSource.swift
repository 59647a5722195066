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
