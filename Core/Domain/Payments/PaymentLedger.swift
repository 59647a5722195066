import Base
import FoundationEssentials

/// The one use case that moves a payment. A provider's source authenticates and decodes a
/// delivery and maps what the provider says to a `Change`; the ledger, inside the transaction that
/// claimed the delivery, finds the payment (or records a deal payment first reported), decides
/// the transition, sets the status, adds a subscription's period, tells a booking paid twice
/// apart, and appends the domain event — written once for every provider, its steps on the trail.
package struct PaymentLedger {
    /// What a provider says of one payment: the ledger's input.
    package struct Change {
        /// Whose payment, and the provider's id for it.
        package var provider: Provider
        package var providerPaymentID: String
        /// The status the provider says the payment reached; nil for a report that moves none.
        package var status: PaymentStatus?
        /// The amount the provider reports; nil when it could not be read.
        package var amount: Money?
        /// Why it was canceled or failed, and by whom.
        package var failureCategory: String?
        package var failureParty: String?
        /// What a payment unknown here is.
        package var unknown: Unknown
        /// The domain event the change causes.
        package var event: Event

        package init(
            provider: Provider, providerPaymentID: String, status: PaymentStatus?, amount: Money?,
            failureCategory: String? = nil, failureParty: String? = nil, unknown: Unknown, event: Event
        ) {
            self.provider = provider
            self.providerPaymentID = providerPaymentID
            self.status = status
            self.amount = amount
            self.failureCategory = failureCategory
            self.failureParty = failureParty
            self.unknown = unknown
            self.event = event
        }
    }

    /// What a payment the ledger does not hold is.
    package enum Unknown {
        /// Not this shop's: it was created here first (YooKassa), so nothing is recorded, and the
        /// reported amount must be the recorded one.
        case refused
        /// A deal first seen in this report (Stripe): recorded as reported, for `dealID`.
        case recordedAsDeal(dealID: String?, description: String)
    }

    /// The domain event of a change.
    package enum Event {
        /// The status's: `booking_paid`, `subscription_paid` (with the period) or `deal_paid` on
        /// success, `payment_failed` on cancellation; `booking_paid_twice` for a booking paid already.
        case forStatus
        /// The provider event's own, for a deal (`Unknown.recordedAsDeal`): this type, key and
        /// payload, whenever the payment moves and whenever the report moves no status; none when
        /// the report names no deal.
        case named(DomainEventType, key: String?, payload: [String: JSONValue])
    }

    /// What recording a change did.
    package enum Result {
        /// The payment moved, or was recorded, or the report was noted with its event.
        case applied(PaymentRecord)
        /// It already stood so.
        case unchanged(PaymentRecord)
        /// A later status is recorded; the report is not allowed to move it back.
        case outOfOrder(PaymentRecord)
        /// No payment here has the provider's id.
        case unknownPayment
        /// The provider reports another amount than the one recorded.
        case amountMismatch(expected: Money)
        /// It paid a booking that `first` had paid already: recorded, and to be refunded.
        case paidTwice(PaymentRecord, first: UUID)
    }

    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Records `change` and returns what that did, its steps on `trail`.
    package func record(_ change: Change, trail: inout WebhookTrail) throws -> Result {
        switch (change.unknown, change.status, change.amount) {
        case (.refused, let target?, _):
            return try move(change, to: target, trail: &trail)
        case (.recordedAsDeal(let dealID, let description), _, let amount?):
            return try recordDeal(change, amount: amount, dealID: dealID, description: description, trail: &trail)
        default:
            throw StoreError(
                .unexpectedResult, detail: "a payment made here moves to a status; a deal is recorded with an amount")
        }
    }

    /// A payment the provider refused to create (a 4xx to `POST /v3/payments`): canceled as
    /// `provider_rejected`, so it no longer stands open for its booking or subscription.
    package func recordRejected(_ payment: PaymentRecord) throws {
        try PaymentStore(connection: connection).setStatus(
            id: payment.id, to: .canceled, failureCategory: "provider_rejected")
    }

    /// A payment created here, moved forward to what the provider says.
    private func move(_ change: Change, to target: PaymentStatus, trail: inout WebhookTrail) throws -> Result {
        let payments = PaymentStore(connection: connection)
        // The usual case in one statement: the payment moves forward to what the provider says.
        if let amount = change.amount,
            let (moved, previous, paidBefore) = try payments.advance(
                provider: change.provider, providerPaymentID: change.providerPaymentID, to: target, amount: amount,
                failureCategory: change.failureCategory)
        {
            return try settled(moved, from: previous, paidBefore: paidBefore, change: change, trail: &trail)
        }
        // Otherwise the payment is read to say why it did not move; or it moves now, when it became
        // this provider's payment (create-intent committed) after the statement above began.
        guard let payment = try payments.lock(provider: change.provider, providerPaymentID: change.providerPaymentID)
        else {
            trail.step(.paymentLookup, result: .decided(.unknownPayment), level: .warning)
            return .unknownPayment
        }
        trail.identify(LogKey.paymentID, payment.id.uuidString.lowercased())
        guard change.amount == payment.amount else {
            trail.step(
                .amountChecked, result: .decided(.amountMismatch), detail: "expected \(payment.amount)", level: .error)
            return .amountMismatch(expected: payment.amount)
        }
        switch payment.status.transition(to: target) {
        case .unchanged:
            trail.step(.statusUnchanged, result: .decided(.noChange), detail: target.rawValue)
            return .unchanged(payment)
        case .outOfOrder:
            trail.step(
                .statusNotMovedBack, result: .decided(.outOfOrderIgnored),
                detail: "\(payment.status.rawValue) stays, \(target.rawValue) ignored")
            return .outOfOrder(payment)
        case .advance:
            let (moved, paidBefore) = try payments.setStatus(
                id: payment.id, to: target, failureCategory: change.failureCategory)
            return try settled(moved, from: payment.status, paidBefore: paidBefore, change: change, trail: &trail)
        }
    }

    /// A deal's payment, locked or recorded as first reported, then moved as a payment created here.
    private func recordDeal(
        _ change: Change, amount: Money, dealID: String?, description: String, trail: inout WebhookTrail
    ) throws -> Result {
        let payments = PaymentStore(connection: connection)
        var payment: PaymentRecord
        var transition: PaymentStatus.Transition
        if let (found, inserted) = try payments.lockOrInsertDeal(
            provider: change.provider, providerPaymentID: change.providerPaymentID, status: change.status ?? .pending,
            amount: amount, dealID: dealID, description: description)
        {
            payment = found
            transition =
                inserted
                ? (change.status == nil ? .unchanged : .advance)
                : change.status.map { found.status.transition(to: $0) } ?? .unchanged
        } else {
            // Another transaction inserted it first; it has committed, so the row is there now.
            guard
                let concurrent = try payments.lock(
                    provider: change.provider, providerPaymentID: change.providerPaymentID)
            else {
                throw StoreError(.unexpectedResult, detail: "a deal payment that conflicted on insert is not there")
            }
            payment = concurrent
            transition = change.status.map { concurrent.status.transition(to: $0) } ?? .unchanged
        }
        trail.identify(LogKey.paymentID, payment.id.uuidString.lowercased())
        trail.step(.persisted, detail: "payment \(payment.status.rawValue)")
        switch transition {
        case .outOfOrder:
            trail.step(
                .statusNotMovedBack, result: .decided(.outOfOrderIgnored), detail: "\(payment.status.rawValue) stays")
            return .outOfOrder(payment)
        case .advance:
            guard let target = change.status, payment.status != target else {
                trail.step(.statusUpdated, detail: "recorded as \(payment.status.rawValue)")
                return try settled(payment, from: nil, paidBefore: nil, change: change, trail: &trail)
            }
            let (moved, paidBefore) = try payments.setStatus(
                id: payment.id, to: target, failureCategory: change.failureCategory)
            return try settled(moved, from: payment.status, paidBefore: paidBefore, change: change, trail: &trail)
        case .unchanged:
            // A report that moves no status still has its event (a session awaiting payment).
            guard change.status == nil else { return .unchanged(payment) }
            try append(change, payment, period: nil, trail: &trail)
            return .applied(payment)
        }
    }

    /// After a move (from `previous`, nil when the payment was recorded as reported): the
    /// subscription's period and the domain event, or the record of a booking paid twice.
    private func settled(
        _ moved: PaymentRecord, from previous: PaymentStatus?, paidBefore: UUID?, change: Change,
        trail: inout WebhookTrail
    ) throws -> Result {
        trail.identify(LogKey.paymentID, moved.id.uuidString.lowercased())
        if let previous { trail.step(.statusUpdated, detail: "\(previous.rawValue) → \(moved.status.rawValue)") }
        if let paidBefore {
            // Two callers each paid one booking: the later payment is recorded and goes back.
            try EventStore(connection: connection).append(PaymentEvents.paidTwice(moved, paidBefore: paidBefore))
            trail.step(
                .paidTwice, result: .decided(.refundDue),
                detail: "payment \(paidBefore.uuidString.lowercased()) paid this booking first", level: .warning)
            trail.step(.automationEventEmitted, detail: DomainEventType.bookingPaidTwice.rawValue)
            return .paidTwice(moved, first: paidBefore)
        }
        let period = moved.status == .succeeded && previous != nil ? try addedPeriod(moved, trail: &trail) : nil
        try append(change, moved, period: period, trail: &trail)
        return .applied(moved)
    }

    /// The change's domain event, if it has one, appended once.
    private func append(
        _ change: Change, _ payment: PaymentRecord, period: SubscriptionPeriod?, trail: inout WebhookTrail
    ) throws {
        let event: DomainEvent
        switch change.event {
        case .forStatus:
            switch payment.status {
            case .succeeded: event = PaymentEvents.paid(payment, period: period)
            case .canceled:
                event = PaymentEvents.failed(
                    payment, category: change.failureCategory ?? "unknown", party: change.failureParty)
            default: return
            }
        case .named(let type, let key, let payload):
            guard case .recordedAsDeal(dealID: _?, _) = change.unknown else { return }
            event = PaymentEvents.other(type, payment, key: key, extra: payload)
        }
        if try EventStore(connection: connection).append(event) {
            trail.step(.automationEventEmitted, detail: event.type.rawValue)
        }
    }

    /// The period a subscription payment that just succeeded adds to its user's subscription.
    private func addedPeriod(_ payment: PaymentRecord, trail: inout WebhookTrail) throws -> SubscriptionPeriod? {
        guard case .subscription(let planID, let userID) = payment.purpose else { return nil }
        guard let days = payment.periodDays else {
            trail.step(
                .subscriptionExtended, result: .noPeriod, detail: "the payment predates kept periods", level: .warning)
            return nil
        }
        let period = try SubscriptionStore(connection: connection).extend(
            for: payment, userID: userID, planID: planID, days: days)
        if let period { trail.step(.subscriptionExtended, detail: "\(period.activatedAt) → \(period.expiresAt)") }
        return period
    }
}
