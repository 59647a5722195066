import Base
import FoundationEssentials
import Logging

/// Gives money back through a payment's provider, exactly once, as `payctl refund` does it:
/// the local refund is written first (its id is the provider's idempotency key), then the
/// provider is asked, then its answer goes through the refund ledger. A crash or a timeout at
/// any point leaves the refund pending; running the same request again resumes it (the same key,
/// or a read of the refund the provider already made), so the provider never makes a second one.
/// A request repeated after its refund succeeded (its answer lost, say) finds that refund done
/// for a day, unless `again` asks for another of the same amount.
package struct Refunder {
    /// What a request would do, checked against the payment before anything is written.
    package struct Plan: Sendable {
        package let payment: PaymentRecord
        package let amount: Money
        /// What is left to give back, net of refunds still pending.
        package let refundable: Money
        /// The operator's earlier request for this payment that has not finished (resumed, never
        /// repeated), or the same request done in the last day (`succeeded`: nothing more to do).
        package let resuming: RefundRecord?

        /// The same refund already succeeded: nothing is written or sent.
        package var alreadyDone: Bool { resuming?.status == .succeeded }
    }

    /// Why a request is refused before the provider is asked.
    package enum Refusal: Error, Sendable, Equatable {
        case paymentNotFound
        /// Only a succeeded payment has money to give back.
        case notPaid(PaymentStatus)
        /// More than is left (`refundable`, net of pending refunds).
        case exceeds(refundable: Money)
        /// An amount of zero, below the currency's precision, or in another currency.
        case invalidAmount
        /// Another amount's refund of this payment is still in progress: finish it first.
        case anotherInProgress(RefundRecord)
    }

    /// How a request ended.
    package enum Outcome: Sendable, Equatable {
        /// The money went back; `full` when nothing is left of the payment.
        case succeeded(RefundRecord, full: Bool)
        /// The provider accepted it and has not finished: its notification or event completes it.
        case pending(RefundRecord)
        /// The provider refused, or the payment cannot be refunded through its API: nothing went back.
        case failed(RefundRecord, reason: String, permission: String?)
        /// No answer: it may exist at the provider. The same request resumes it.
        case interrupted(RefundRecord, reason: String)
        /// The provider's refund does not fit what is recorded here; an operator must look.
        case conflict(RefundRecord, reason: String)
    }

    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Checks a request of `amount` (nil: all that is left) without writing anything.
    package func plan(paymentID: UUID, amount: Money?, again: Bool = false) throws -> Plan {
        try plan(paymentID: paymentID, amount: amount, again: again, locking: false)
    }

    /// Writes the request (or takes up the unfinished one) by `operatorName`, with its audit line.
    package func start(
        paymentID: UUID, amount: Money?, again: Bool = false, reason: String?, operatorName: String
    ) throws -> (RefundRecord, PaymentRecord) {
        try connection.transaction {
            let plan = try plan(paymentID: paymentID, amount: amount, again: again, locking: true)
            if let resuming = plan.resuming { return (resuming, plan.payment) }
            guard
                let refund = try RefundStore(connection: connection).insert(
                    payment: plan.payment, amount: plan.amount, reason: reason, requestedBy: operatorName)
            else { throw StoreError(.unexpectedResult, detail: "a new refund's id was taken") }
            try audit(refund, action: "refund.requested", operatorName: operatorName)
            return (refund, plan.payment)
        }
    }

    /// Asks the provider for `refund` (or, when it already has the provider's id, reads it back)
    /// and records the answer.
    package func submit(
        _ refund: RefundRecord, of payment: PaymentRecord, gateway: any RefundGateway, operatorName: String,
        logger: Logger
    ) throws -> Outcome {
        CrashPoint.reach("refund_before_provider")
        var answer: ProviderRefund
        do {
            if let providerRefundID = refund.providerRefundID {
                answer = try gateway.fetch(providerRefundID: providerRefundID, logger: logger)
            } else if let made = try gateway.made(refund, of: payment, logger: logger) {
                answer = made
            } else {
                answer = try gateway.create(refund, of: payment, logger: logger)
            }
            answer.localID = refund.id
        } catch .unavailable(let reason) {
            return .interrupted(refund, reason: reason)
        } catch .rejected(let status, let message, let permission) {
            // Only a request for a refund the provider has not made is refused for good; a refused
            // read of one it made says nothing of the refund itself.
            guard refund.providerRefundID == nil else {
                return .conflict(refund, reason: "the provider refused to show it (HTTP \(status): \(message))")
            }
            return try fail(
                refund, reason: "HTTP \(status): \(message)", permission: permission, operatorName: operatorName)
        } catch .notRefundable(let reason) {
            return try fail(refund, reason: reason, permission: nil, operatorName: operatorName)
        }
        CrashPoint.reach("refund_after_provider")
        return try connection.transaction {
            guard let payment = try PaymentStore(connection: connection).lock(id: payment.id) else {
                throw StoreError(.unexpectedResult, detail: "the refunded payment is not there")
            }
            let (result, _) = try RefundLedger(connection: connection).record(answer, of: payment)
            let outcome: Outcome
            switch result {
            case .applied(let settled, let full, _):
                outcome = .succeeded(settled, full: full)
            case .unchanged(let row), .recorded(let row):
                switch row.status {
                case .succeeded: outcome = .succeeded(row, full: payment.status == .refunded)
                case .pending: outcome = .pending(row)
                case .failed: outcome = .failed(row, reason: "the provider reports it failed", permission: nil)
                }
            case .exceeds(let refundable):
                outcome = .conflict(refund, reason: "the provider's refund exceeds the \(refundable) left here")
            case .amountMismatch:
                outcome = .conflict(
                    refund, reason: "the provider's refund is of \(answer.amount), not \(refund.amount)")
            case .paymentNotPaid(let status):
                outcome = .conflict(refund, reason: "the payment is \(status.rawValue) here")
            case .reversed(let row):
                outcome = .conflict(row, reason: "the provider reports a refund that had succeeded as failed")
            }
            try audit(
                refund, action: "refund.\(outcome.name)", operatorName: operatorName,
                extra: ["provider_refund_id": .string(answer.id)])
            return outcome
        }
    }

    private func plan(paymentID: UUID, amount: Money?, again: Bool, locking: Bool) throws -> Plan {
        let payments = PaymentStore(connection: connection)
        guard let payment = try locking ? payments.lock(id: paymentID) : payments.find(id: paymentID) else {
            throw Refusal.paymentNotFound
        }
        let refunds = RefundStore(connection: connection)
        if let open = try refunds.lockOpenRequest(paymentID: paymentID) {
            guard amount == nil || amount == open.amount else { throw Refusal.anotherInProgress(open) }
            return Plan(payment: payment, amount: open.amount, refundable: payment.refundable, resuming: open)
        }
        if !again, let amount, let done = try refunds.recentSuccess(paymentID: paymentID, amount: amount) {
            return Plan(payment: payment, amount: amount, refundable: payment.refundable, resuming: done)
        }
        guard payment.status == .succeeded || payment.status == .refunded else {
            throw Refusal.notPaid(payment.status)
        }
        let left = Money(
            minorUnits: payment.refundable.minorUnits - (try refunds.pendingTotal(of: paymentID)),
            currency: payment.amount.currency)
        let wanted = amount ?? left
        guard wanted.currency == payment.amount.currency else { throw Refusal.invalidAmount }
        guard wanted.minorUnits <= left.minorUnits, left.minorUnits > 0 else { throw Refusal.exceeds(refundable: left) }
        guard wanted.minorUnits > 0 else { throw Refusal.invalidAmount }
        return Plan(payment: payment, amount: wanted, refundable: left, resuming: nil)
    }

    /// Marks a refund the provider refused to make as failed, with its audit line; a refund a
    /// notification settled meanwhile keeps what it says.
    private func fail(
        _ refund: RefundRecord, reason: String, permission: String?, operatorName: String
    ) throws
        -> Outcome
    {
        try connection.transaction {
            _ = try PaymentStore(connection: connection).lock(id: refund.paymentID)
            let refunds = RefundStore(connection: connection)
            let current = try refunds.lock(id: refund.id) ?? refund
            guard current.status == .pending, current.providerRefundID == nil else {
                return .conflict(current, reason: "refused now, but it is \(current.status.rawValue) at the provider")
            }
            let failed = try refunds.update(current, providerRefundID: nil, status: .failed, error: reason)
            try audit(failed, action: "refund.failed", operatorName: operatorName, extra: ["error": .string(reason)])
            return .failed(failed, reason: reason, permission: permission)
        }
    }

    private func audit(
        _ refund: RefundRecord, action: String, operatorName: String, extra: [String: JSONValue] = [:]
    ) throws {
        var detail: [String: JSONValue] = [
            "refund_id": .string(refund.id.uuidString.lowercased()), "amount_minor": .int(refund.amount.minorUnits),
            "currency": .string(refund.amount.currency.code), "provider": .string(refund.provider.rawValue),
        ]
        if let reason = refund.reason { detail["reason"] = .string(reason) }
        detail.merge(extra) { _, new in new }
        try AuditLog(connection: connection).record(
            operator: operatorName, action: action, subject: refund.paymentID.uuidString.lowercased(), detail: detail)
    }
}

extension Refunder.Outcome {
    /// One word for the audit trail and for scripts.
    package var name: String {
        switch self {
        case .succeeded: "succeeded"
        case .pending: "pending"
        case .failed: "failed"
        case .interrupted: "interrupted"
        case .conflict: "conflict"
        }
    }
}
