/// What a YooKassa notification means once confirmed: the payment or refund as the API (or, with
/// `ip` verification only, the notification) reports it, and the status its event name claims.
enum YooKassaChange {
    /// The payment as confirmed, and the status the notification's event name reports.
    case payment(YooKassa.Payment, reported: PaymentStatus?)
    /// The refund as confirmed; the notification reports it succeeded.
    case refund(YooKassa.Refund)
    /// An event this endpoint does not act on.
    case ignored

    /// The status the payment moves to, its provider id, amount and the object's own status;
    /// nil for an ignored event.
    var target: (status: String, providerPaymentID: String, amount: Money?)? {
        switch self {
        case .payment(let payment, _): (payment.status, payment.id, payment.amount.money)
        case .refund(let refund): (refund.status, refund.payment_id, refund.amount.money)
        case .ignored: nil
        }
    }

    /// The domain event moving `payment` to `status` causes; a subscription's carries its `period`.
    func domainEvent(
        for payment: PaymentRecord, moving status: PaymentStatus, category: String?, period: SubscriptionPeriod?
    ) -> DomainEvent? {
        switch (self, status) {
        case (.payment, .succeeded): PaymentEvents.paid(payment, period: period)
        case (.payment(let object, _), .canceled):
            PaymentEvents.failed(payment, category: category ?? "unknown", party: object.cancellation_details?.party)
        case (.refund(let refund), .refunded):
            refund.amount.money.map { PaymentEvents.refunded(payment, refundID: refund.id, amount: $0) }
        default: nil
        }
    }

    /// The failure category of a cancellation, from `cancellation_details.reason`.
    var cancellationCategory: String {
        if case .payment(let object, _) = self { object.cancellation_details?.reason ?? "unknown" } else { "unknown" }
    }
}
