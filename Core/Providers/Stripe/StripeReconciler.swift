import Base
import Domain
import Logging

/// Stripe's part of reconciliation: the events that change a payment, created in the window
/// (`GET /v1/events` by `created`, every page), against the state recorded here. A success or
/// cancellation the payment here has not reached, or a succeeded refund not counted, is a
/// difference; applied, the event runs as its delivery would have, under its own id, so the
/// delivery arriving later is a duplicate. Events that change no status (a failed attempt, an
/// unpaid session) and events of payments that are not this shop's are not differences.
package struct StripeReconciler: ProviderReconciler {
    let client: StripeClient
    let database: Database
    let source: StripeWebhookSource

    package init(client: StripeClient, database: Database, source: StripeWebhookSource) {
        self.client = client
        self.database = database
        self.source = source
    }

    package var provider: Provider { .stripe }

    package func differences(since: Int64, until: Int64, logger: Logger) throws -> [FoundDifference] {
        let events: [Stripe.Event]
        do {
            events = try client.fullEvents(types: StripeReading.handledTypes, createdSince: since, logger: logger)
                .filter { $0.created <= until }
        } catch {
            throw ReconcileError(provider: .stripe, reason: "\(error)")
        }
        let connection = try database.connection()
        let payments = PaymentStore(connection: connection)
        let changes = events.map(StripeReading.init)
        let counted = try RefundStore(connection: connection).succeeded(
            provider: .stripe, among: changes.compactMap { $0.refund?.id })
        var found: [FoundDifference] = []
        var named: Set<String> = []
        // Oldest first, so a payment's success is applied before its refund.
        for (event, reading) in zip(events, changes).reversed() {
            let local = try reading.paymentKey.flatMap { try payments.find(provider: .stripe, providerPaymentID: $0) }
            let kind: Difference.Kind
            let subject: String
            if let refund = reading.refund {
                guard local != nil, refund.status == .succeeded, !counted.contains(refund.id) else { continue }
                (kind, subject) = (.missedRefund, refund.id)
            } else if let target = reading.effect?.status, target == .succeeded || target == .canceled {
                guard local != nil || reading.dealID != nil else { continue }  // another integration's
                if let local, local.status.transition(to: target) != .advance { continue }
                (kind, subject) = (
                    target == .succeeded ? .missedSuccess : .missedCancellation, reading.paymentKey ?? event.id
                )
            } else {
                continue
            }
            // One difference a payment (or refund), however many events say it.
            guard named.insert("\(kind.rawValue) \(subject)").inserted else { continue }
            let delivery = StripeWebhookSource.Delivery(event: event, reading: reading)
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: kind, provider: .stripe, localID: local?.id.uuidString.lowercased(), providerID: event.id,
                        detail: "\(event.type) for \(subject); here \(local?.status.rawValue ?? "not recorded")"),
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
