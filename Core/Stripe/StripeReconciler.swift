import Logging

/// Stripe's part of reconciliation: the events that change a payment, created since the window
/// began (`GET /v1/events` by `created`, every page), against the events recorded here. An event
/// never received, or received without effect, is a difference; applied, it runs as its delivery
/// would have, under its own id, so the delivery arriving later is a duplicate.
struct StripeReconciler: ProviderReconciler {
    let client: StripeClient
    let database: Database
    let source: StripeWebhookSource

    var provider: Provider { .stripe }

    func differences(since: Int64, logger: Logger) throws -> [FoundDifference] {
        let events: [Stripe.Event]
        do {
            events = try client.fullEvents(types: StripeChange.handledTypes, createdSince: since)
        } catch {
            throw ReconcileError(provider: .stripe, reason: "\(error)")
        }
        let connection = try database.connection()
        let seen = try WebhookEventStore(connection: connection).outcomes(provider: .stripe, keys: events.map(\.id))
        let payments = PaymentStore(connection: connection)
        var found: [FoundDifference] = []
        // Oldest first, so a payment's success is applied before its refund.
        for event in events.reversed() {
            if let outcome = seen[event.id], !outcome.reappliable { continue }
            let change = StripeChange(event)
            let kind: Difference.Kind
            if change.refund != nil {
                kind = .missedRefund
            } else if let effect = change.effect {
                kind = effect.eventType == .dealPaymentFailed ? .missedCancellation : .missedSuccess
            } else {
                continue
            }
            let local = try change.paymentKey.flatMap { try payments.find(provider: .stripe, providerPaymentID: $0) }
            let delivery = StripeWebhookSource.Delivery(event: event, change: change)
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: kind, provider: .stripe, localID: local?.id.uuidString.lowercased(), providerID: event.id,
                        detail: "\(event.type) \(seen[event.id].map { "recorded as \($0)" } ?? "never received")"),
                    apply: {
                        try WebhookPipeline(source: source, database: database).record(
                            delivery, arrival: source.arrival(delivery, verification: .reconcile),
                            trail: WebhookTrail(logger: logger, provider: .stripe)
                        ).outcome
                    }))
        }
        return found
    }
}
