import Base
import Domain
import Logging

/// Stripe's events about a deal's payment (`GET /v1/events` of the handled types since it was
/// made), and what they come to as this shop reads them.
struct StripeLookup: ProviderLookup {
    let client: StripeClient

    func holding(of object: ProviderObject, logger: Logger) throws -> ProviderHolding {
        var holding = ProviderHolding()
        let ids = object.relatedIDs.union(object.providerPaymentID.map { [$0] } ?? [])
        let events = try client.fullEvents(
            types: StripeReading.handledTypes, createdSince: object.createdAt - 300, logger: logger
        ).filter { event in
            let reading = StripeReading(event)
            return [event.data.object.id, reading.paymentIntentID, reading.sessionID].contains {
                $0.map(ids.contains) ?? false
            }
        }
        for event in events.sorted(by: { $0.created < $1.created }) {
            let reading = StripeReading(event)
            if let status = reading.effect?.status {
                holding.paid = status == .succeeded || status == .refunded
            }
            if let refund = reading.refund, refund.status == .succeeded {
                holding.refundedMinor += refund.amount.minorUnits
            }
            holding.lines.append(
                ProviderHolding.Line(
                    at: UnixTime.iso8601(event.created),
                    text: "Stripe event \(event.id) \(event.type) (\(event.data.object.id))"
                        + (reading.objectStatus.map { ": \($0)" } ?? "")))
        }
        return holding
    }
}
