import Base
import FoundationEssentials

/// The one use case that counts money given back. Whoever learns of a refund — the answer to
/// `payctl refund`, a YooKassa notification, a Stripe event, reconciliation — hands it here inside
/// the transaction that holds its payment's lock. A refund is matched to its row (by the provider's
/// id, or by the local id the provider echoes in our metadata), or recorded as made at the
/// provider; its money is counted once, when it first succeeds, with
/// one `payment_refunded` (or `deal_refunded`) event saying whether the payment is now refunded in
/// full, a subscription refunded in full loses the period it bought, and a booking's first payment
/// refunded in full leaves the booking to its next payer.
package struct RefundLedger {
    /// What recording a provider's report did.
    package enum Result: Sendable, Equatable {
        /// The refund succeeded now: its money is counted and `event` written.
        case applied(RefundRecord, full: Bool, event: DomainEventType)
        /// A pending or failed refund recorded; no money moved.
        case recorded(RefundRecord)
        /// The refund already stood so.
        case unchanged(RefundRecord)
        /// It would give back more than is left of the payment (what is left is given).
        case exceeds(refundable: Money)
        /// The provider's amount or currency differs from the refund recorded for its id, or from
        /// the payment's currency.
        case amountMismatch
        /// The payment has not succeeded here (yet): nothing to refund.
        case paymentNotPaid(PaymentStatus)
        /// A refund that succeeded is now reported failed: left as it was, for an operator to check.
        case reversed(RefundRecord)
    }

    let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Records what the provider reports of `refund`, a refund of `payment` (locked by the caller),
    /// and returns what that did with the payment as it is now.
    package func record(_ refund: ProviderRefund, of payment: PaymentRecord) throws -> (Result, PaymentRecord) {
        let refunds = RefundStore(connection: connection)
        var row = try match(refund, of: payment, in: refunds)
        if row == nil {
            guard refund.amount.currency == payment.amount.currency else { return (.amountMismatch, payment) }
            row = try refunds.insert(
                payment: payment, providerRefundID: refund.id, amount: refund.amount, status: .pending)
        }
        guard let row else {
            throw StoreError(.unexpectedResult, detail: "a refund that conflicted on insert is not there")
        }
        // A refund belongs to one payment, with one amount: another payment's or amount's report is not believed.
        guard row.paymentID == payment.id, row.amount == refund.amount else { return (.amountMismatch, payment) }
        switch (row.status, refund.status) {
        case (.succeeded, .succeeded), (.succeeded, .pending), (.failed, .pending):
            // A late report of an earlier state (events arrive out of order): no change.
            return (.unchanged(row), payment)
        case (.succeeded, .failed):
            return (.reversed(row), payment)
        case (_, .succeeded):
            return try apply(row, providerRefundID: refund.id, to: payment, in: refunds)
        case (let old, let new):
            let moved = try refunds.update(row, providerRefundID: refund.id, status: new)
            return (old == new && row.providerRefundID == refund.id ? .unchanged(moved) : .recorded(moved), payment)
        }
    }

    /// The row a provider's refund belongs to, locked.
    private func match(
        _ refund: ProviderRefund, of payment: PaymentRecord, in refunds: RefundStore
    ) throws
        -> RefundRecord?
    {
        if let known = try refunds.lock(provider: payment.provider, providerRefundID: refund.id) { return known }
        if let localID = refund.localID, let echoed = try refunds.lock(id: localID), echoed.paymentID == payment.id,
            echoed.providerRefundID == nil
        {
            return echoed
        }
        // Nothing else identifies a refund: one with neither our id nor our metadata was made
        // elsewhere (the provider's dashboard), even when it has the amount of an unfinished request.
        return nil
    }

    /// Counts a refund that has just succeeded, with its event (and a revoked period).
    private func apply(
        _ row: RefundRecord, providerRefundID: String, to payment: PaymentRecord, in refunds: RefundStore
    ) throws -> (Result, PaymentRecord) {
        if payment.status != .succeeded && payment.status != .refunded {
            return (.paymentNotPaid(payment.status), payment)
        }
        guard
            let moved = try PaymentStore(connection: connection).addRefunded(
                id: payment.id, minorUnits: row.amount.minorUnits)
        else {
            // The provider gave back more than is left here: kept pending with why, for an operator.
            try refunds.update(
                row, providerRefundID: providerRefundID, status: .pending,
                error: "exceeds the \(payment.refundable) left of the payment")
            return (.exceeds(refundable: payment.refundable), payment)
        }
        let settled = try refunds.update(row, providerRefundID: providerRefundID, status: .succeeded)
        let full = moved.status == .refunded
        let events = EventStore(connection: connection)
        let event = PaymentEvents.refunded(moved, refund: settled, full: full)
        try events.append(event)
        if full, case .subscription = moved.purpose,
            let period = try SubscriptionStore(connection: connection).revoke(for: moved)
        {
            try events.append(PaymentEvents.revoked(moved, period: period))
        }
        if full, case .booking = moved.purpose {
            try PaymentStore(connection: connection).releaseBooking(paidBy: moved.id)
        }
        return (.applied(settled, full: full, event: event.type), moved)
    }
}
