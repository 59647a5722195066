import Base
import Domain
import Logging

/// Stripe's events about a deal's payment (`GET /v1/events` of the handled types since it was
/// made, at most `StripeLookup.eventCap` of them), and what they come to as this shop reads them:
/// each refund counted once, at its latest status.
struct StripeLookup: ProviderLookup {
    let client: StripeClient

    /// The most events read for one trace: a hundred pages.
    static let eventCap = 10_000

    func holding(of object: ProviderObject, logger: Logger) throws -> ProviderHolding {
        var holding = ProviderHolding()
        let ids = object.relatedIDs.union(object.providerPaymentID.map { [$0] } ?? [])
        let read = try client.fullEvents(
            types: StripeReading.handledTypes, createdSince: object.createdAt - 300, limit: Self.eventCap,
            logger: logger
        ).map { ($0, StripeReading($0)) }
        let about = read.filter { event, reading in
            [event.data.object.id, reading.paymentIntentID, reading.sessionID].contains {
                $0.map(ids.contains) ?? false
            }
        }
        var refunds: [String: ProviderRefund] = [:]
        for (event, reading) in about.sorted(by: { $0.0.created < $1.0.created }) {
            if let status = reading.effect?.status {
                holding.paid = status == .succeeded || status == .refunded
            }
            if let refund = reading.refund { refunds[refund.id] = refund }
            holding.lines.append(
                ProviderHolding.Line(
                    at: UnixTime.iso8601(event.created),
                    text: "Stripe event \(event.id) \(event.type) (\(event.data.object.id))"
                        + (reading.objectStatus.map { ": \($0)" } ?? "")))
        }
        holding.refundedMinor = refunds.values.filter { $0.status == .succeeded }.reduce(0) {
            $0 + $1.amount.minorUnits
        }
        return holding
    }
}
