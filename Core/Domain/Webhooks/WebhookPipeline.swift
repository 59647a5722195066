import Base
import Logging

/// The one webhook pipeline: every provider's endpoint is this handler around its
/// `WebhookSource`. It owns what every delivery shares — counting refusals, the transaction, the
/// claim of the event's key, the rule for repeats, finishing the row with the steps, and the single
/// end-of-delivery log line (`webhook done`, with `provider`, `event_id`, `event_type` and
/// `outcome`) — so an event's record and its effect always commit together.
package struct WebhookPipeline<Source: WebhookSource>: Handler {
    let source: Source
    let database: Database

    package init(source: Source, database: Database) {
        self.source = source
        self.database = database
    }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        try answer(request, logger: logger).response
    }

    /// The provider's answer, reported with the delivery's outcome (or the refusal's reason).
    package func answer(_ request: HTTPRequest, logger: Logger) throws -> Answer {
        var trail = WebhookTrail(logger: logger, provider: source.provider)
        let verification: Verification
        do {
            verification = try source.authenticate(request, trail: &trail)
        } catch {
            return Answer(
                .error(refuse(error, trail: trail), requestID: request.requestID), outcome: error.reason.rawValue)
        }
        let delivery = try source.decode(request, verification: verification, trail: &trail)
        let result = try record(delivery, arrival: source.arrival(delivery, verification: verification), trail: trail)
        return Answer(source.answer(result), outcome: result.outcome.rawValue)
    }

    /// Claims the delivery's event key and applies it, once, in one transaction: a webhook's, or a
    /// change reconciliation found at the provider (`arrival.verification` `reconcile`, the key the
    /// webhook would have had, so a webhook arriving later is a duplicate).
    package func record(
        _ delivery: Source.Delivery, arrival: WebhookEventStore.Arrival, trail: WebhookTrail
    ) throws
        -> WebhookResult
    {
        var trail = trail
        trail.identify(LogKey.eventID, arrival.eventKey)
        trail.identify(LogKey.eventType, arrival.eventType)
        let connection = try database.connection()
        var runs = 0
        let (result, done) = try connection.transaction(defersWrites: true) {
            () throws -> (WebhookResult, WebhookTrail) in
            // A copy per run, so the steps of a rolled-back run are not recorded twice.
            var attempt = trail
            runs += 1
            if runs > 1 { attempt.step(.ranAgain, detail: "run \(runs)") }
            let events = WebhookEventStore(connection: connection)
            var claim = try events.claim(arrival)
            if let previous = claim.previousOutcome, source.repeated(delivery, previous: previous) != .duplicate {
                claim = try events.reclaim(claim)
            }
            var record = true
            if let previous = claim.previousOutcome {
                switch source.repeated(delivery, previous: previous) {
                case .duplicate:
                    attempt.step(
                        .deduplicated, result: .decided(.duplicate),
                        detail: "outcome \(previous) stands, applied \(claim.deliveries)×")
                    return (WebhookResult(outcome: .duplicate), attempt)
                case .apply:
                    attempt.step(
                        .deduplicated, result: .redelivered,
                        detail: "earlier outcome \(previous); applied again, \(claim.deliveries + 1)× in all")
                case .answerOnly:
                    record = false
                }
            } else {
                attempt.step(.deduplicated, result: .new)
            }
            let result = try source.apply(delivery, connection: connection, trail: &attempt)
            if record {
                try events.finish(claim, result: result, trail: attempt, verification: arrival.verification)
            }
            return (result, attempt)
        }
        done.log.info("\(LogKey.deliveryDone)", metadata: [LogKey.outcome: .string(result.outcome.rawValue)])
        return result
    }

    /// Logs and counts a refused delivery; returns its answer.
    private func refuse(_ refusal: WebhookRefusal, trail: WebhookTrail) -> APIError {
        var metadata = refusal.metadata
        metadata[LogKey.rejection] = .string(refusal.reason.rawValue)
        trail.log.warning("\(refusal.message)", metadata: metadata)
        WebhookRejectionStore.count(
            source.provider, refusal.reason, claim: refusal.claim, database: database, logger: trail.log)
        return refusal.error
    }
}
