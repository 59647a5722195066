import Base

extension RefundLedger {
    /// A refund a provider's notification or event reports, of the payment the provider knows as
    /// `providerPaymentID`: that payment locked and the refund recorded against it, with the
    /// webhook outcome and its steps on `trail`.
    package func record(
        _ refund: ProviderRefund, ofPayment providerPaymentID: String?, at provider: Provider,
        trail: inout WebhookTrail
    ) throws -> WebhookOutcome {
        guard let providerPaymentID,
            let payment = try PaymentStore(connection: connection).lock(
                provider: provider, providerPaymentID: providerPaymentID)
        else {
            trail.step(.paymentLookup, result: .decided(.unknownPayment), level: .warning)
            return .unknownPayment
        }
        trail.identify(LogKey.paymentID, payment.id.uuidString.lowercased())
        return try record(refund, of: payment).0.outcome(trail: &trail)
    }
}

extension RefundLedger.Result {
    /// The webhook outcome of a refund a notification or event reported, with its steps on `trail`.
    package func outcome(trail: inout WebhookTrail) -> WebhookOutcome {
        switch self {
        case .applied(let refund, let full, let event):
            trail.step(.refundRecorded, detail: "\(refund.amount) succeeded, \(full ? "in full" : "in part")")
            if full { trail.step(.statusUpdated, detail: "succeeded → refunded") }
            trail.step(.automationEventEmitted, detail: event.rawValue)
            return .processed
        case .recorded(let refund):
            trail.step(.refundRecorded, detail: "\(refund.amount) \(refund.status.rawValue)")
            return .processed
        case .unchanged(let refund):
            trail.step(.statusUnchanged, result: .decided(.noChange), detail: "refund \(refund.status.rawValue)")
            return .noChange
        case .exceeds(let refundable):
            trail.step(
                .amountChecked, result: .decided(.amountMismatch), detail: "only \(refundable) is left to refund",
                level: .error)
            return .amountMismatch
        case .amountMismatch:
            trail.step(
                .amountChecked, result: .decided(.amountMismatch), detail: "differs from the refund recorded",
                level: .error)
            return .amountMismatch
        case .paymentNotPaid(let status):
            trail.step(
                .paymentLookup, result: .decided(.paymentNotPaid), detail: "the payment is \(status.rawValue)",
                level: .error)
            return .paymentNotPaid
        case .reversed(let refund):
            trail.step(
                .refundRecorded, result: .decided(.refundReversed),
                detail: "\(refund.amount) had succeeded and is now reported failed", level: .error)
            return .refundReversed
        }
    }
}
