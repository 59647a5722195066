import Base
import Domain
import FoundationEssentials
import Logging

/// YooKassa's part of reconciliation: its payments and refunds created since the window began
/// (`GET /v3/payments`, `GET /v3/refunds` by `created_at`, every page) against the payments and
/// refunds recorded here. YooKassa keeps a refunded payment `succeeded`, so refunds are compared
/// as refunds. A missed change is applied as its notification would be, under the same key
/// (`payment.succeeded:<id>`, `refund.succeeded:<id>`).
package struct YooKassaReconciler: ProviderReconciler {
    let client: YooKassaClient
    let database: Database

    package init(client: YooKassaClient, database: Database) {
        self.client = client
        self.database = database
    }

    package var provider: Provider { .yookassa }

    /// Provider objects are listed from this much before the window, so a payment created here
    /// just inside the window is never missed at the edge.
    static let marginSeconds: Int64 = 600

    package func differences(since: Int64, until: Int64, logger: Logger) throws -> [FoundDifference] {
        let from = UnixTime.iso8601(since - Self.marginSeconds)
        let end = UnixTime.iso8601(until)
        // Local rows first: a payment made while the lists are read is then in neither, not only here.
        let connection = try database.connection()
        let store = PaymentStore(connection: connection)
        let local = try store.recent(provider: .yookassa, sinceSeconds: since - Self.marginSeconds)
        let (payments, refunds): ([YooKassa.Payment], [YooKassa.Refund])
        do {
            payments = try client.payments(createdSince: from, logger: logger).filter { ($0.created_at ?? "") <= end }
            refunds = try client.refunds(createdSince: from, logger: logger).filter { ($0.created_at ?? "") <= end }
        } catch {
            throw ReconcileError(provider: .yookassa, reason: "\(error)")
        }
        var byProviderID: [String: PaymentRecord] = [:]
        for payment in local { if let id = payment.providerPaymentID { byProviderID[id] = payment } }

        var found: [FoundDifference] = []
        for object in payments {
            guard let payment = byProviderID[object.id] else { continue }  // another integration's
            found += compare(object, with: payment, logger: logger)
        }
        let listed = Set(payments.map(\.id))
        let windowStart = UnixTime.iso8601(since)
        for payment in local where payment.createdAt >= windowStart && payment.createdAt <= end {
            guard let id = payment.providerPaymentID, !listed.contains(id) else { continue }
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: .unknownToProvider, provider: .yookassa, localID: payment.id.uuidString.lowercased(),
                        providerID: id, detail: "recorded here as \(payment.status.rawValue); YooKassa does not list it"
                    ),
                    apply: nil))
        }
        let counted = try RefundStore(connection: connection).succeeded(
            provider: .yookassa, among: refunds.map(\.id))
        for refund in refunds where refund.status == RefundStatus.succeeded.rawValue && !counted.contains(refund.id) {
            guard
                let payment = try byProviderID[refund.payment_id]
                    ?? store.find(provider: .yookassa, providerPaymentID: refund.payment_id)
            else { continue }
            let notification = YooKassa.Notification(
                event: "refund.succeeded", object: .init(id: refund.id, payment_id: refund.payment_id), refund: refund)
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: .missedRefund, provider: .yookassa, localID: payment.id.uuidString.lowercased(),
                        providerID: refund.id,
                        detail: "YooKassa refunded \(refund.amount.value) \(refund.amount.currency); not counted here"),
                    apply: {
                        try apply(
                            YooKassaWebhookSource.Delivery(notification: notification, reading: .refund(refund)), logger
                        )
                    }))
        }
        return found
    }

    /// How one listed payment differs from the one recorded.
    private func compare(_ object: YooKassa.Payment, with payment: PaymentRecord, logger: Logger) -> [FoundDifference] {
        let localID = payment.id.uuidString.lowercased()
        guard let status = PaymentStatus(rawValue: object.status) else { return [] }
        var found: [FoundDifference] = []
        if object.amount.money != payment.amount {
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: .amountMismatch, provider: .yookassa, localID: localID, providerID: object.id,
                        detail: "YooKassa \(object.amount.value) \(object.amount.currency), here \(payment.amount)"),
                    apply: nil))
            return found
        }
        let says = "YooKassa says \(status.rawValue), here \(payment.status.rawValue)"
        switch payment.status.transition(to: status) {
        case .advance where status == .succeeded || status == .canceled:
            let delivery = YooKassaWebhookSource.found(object, status: status)
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: status == .succeeded ? .missedSuccess : .missedCancellation, provider: .yookassa,
                        localID: localID, providerID: object.id, detail: says),
                    apply: { try apply(delivery, logger) }))
        case .outOfOrder where !(payment.status == .refunded && status == .succeeded):
            found.append(
                FoundDifference(
                    difference: Difference(
                        kind: .aheadLocally, provider: .yookassa, localID: localID, providerID: object.id, detail: says),
                    apply: nil))
        default:
            break
        }
        return found
    }

    /// Runs a missed change through the webhook pipeline, recorded as found by reconciliation.
    private func apply(_ delivery: YooKassaWebhookSource.Delivery, _ logger: Logger) throws -> WebhookOutcome {
        try YooKassaWebhookSource.recordFound(delivery, database: database, logger: logger)
    }
}
