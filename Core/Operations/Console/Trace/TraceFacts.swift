import Base
import Domain
import Providers

/// Everything recorded about one payment or purchase, as `PaymentTrace` reads it: what the
/// timeline and the verdict are made from.
struct TraceFacts {
    /// A refund of a payment.
    struct Refund {
        let id: String
        let providerRefundID: String?
        let amountMinor: Int64
        let status: String
        let reason: String?
        let requestedBy: String?
        let error: String?
        let createdAt: String
        let succeededAt: String?

        init(_ row: PGRow) throws {
            id = try row.requiredString("id")
            providerRefundID = try row.string("provider_refund_id")
            amountMinor = try row.requiredInt("amount_minor")
            status = try row.requiredString("status")
            reason = try row.string("reason")
            requestedBy = try row.string("requested_by")
            error = try row.string("error")
            createdAt = try row.requiredString("created_at")
            succeededAt = try row.string("succeeded_at")
        }
    }

    /// A Stars charge of a purchase.
    struct Charge {
        let id: String
        let amountMinor: Int64
        let refundDue: Bool
        let reason: String?
        let createdAt: String
        let refundedAt: String?

        init(_ row: PGRow) throws {
            id = try row.requiredString("id")
            amountMinor = try row.requiredInt("amount_minor")
            refundDue = try row.bool("refund_due") ?? false
            reason = try row.string("reason")
            createdAt = try row.requiredString("created_at")
            refundedAt = try row.string("refunded_at")
        }
    }

    /// A reconciliation's difference naming the subject, as stored with its run.
    struct Finding {
        let at: String
        /// The difference's JSON (`kind`, `provider_id`, `detail`, `applied`).
        let difference: String
    }

    let subject: TraceSubject
    var webhooks: [WebhookEventLog.Record] = []
    var events: [DomainEventLog.Stored] = []
    var deliveries: [DeliveryRecord] = []
    var attempts: [DeliveryLog.Attempt] = []
    var refunds: [Refund] = []
    var charges: [Charge] = []
    var findings: [Finding] = []
    var audit: [AuditLog.Line] = []
    /// The sinks not active now: their state and why.
    var sinkStates: [String: (state: SinkState, reason: String?)] = [:]
    /// What the provider holds, when asked (`--provider`).
    var holding: ProviderHolding?
    /// Why the provider could not be asked, when it could not.
    var holdingError: String?

    init(subject: TraceSubject) { self.subject = subject }

    /// Every id the provider knows the subject by: its payment id, and the sessions,
    /// PaymentIntents, charges and refunds its events and refunds name.
    var providerIDs: Set<String> {
        var ids = Set([subject.providerPaymentID].compactMap { $0 })
        if subject.type == .purchase { ids.insert(subject.id) }
        for event in events {
            for key in ["session_id", "payment_intent_id", "charge_id", "invoice_id", "telegram_payment_charge_id"] {
                if let id = event.payload[key]?.stringValue { ids.insert(id) }
            }
        }
        ids.formUnion(refunds.compactMap(\.providerRefundID))
        ids.formUnion(charges.map(\.id))
        return ids
    }

    /// The ids the provider's read-only view looks for.
    var providerObject: ProviderObject {
        ProviderObject(
            localID: subject.id, providerPaymentID: subject.providerPaymentID, relatedIDs: providerIDs,
            createdAt: subject.createdEpoch)
    }
}
