import Logging

/// A provider's refund API, as `Refunder` uses it. Each call for one local refund carries the same
/// idempotency key (`RefundRecord.idempotencyKey`), so a retry after a crash or a timeout is the
/// same refund at the provider, never a second one.
package protocol RefundGateway {
    /// Asks the provider to give back `refund.amount` of `payment`.
    func create(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund

    /// The refund as the provider holds it now.
    func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund
}

/// Why a provider's refund call gave no refund.
package enum RefundGatewayError: Error, Sendable, Equatable {
    /// The provider refused (a 4xx other than 429): asking again the same way cannot help.
    /// `permission` names what a restricted key lacks, when that was the reason.
    case rejected(status: Int, message: String, permission: String? = nil)
    /// No answer, 5xx, 429 or still processing: the refund may or may not exist; the same call resumes it.
    case unavailable(String)
    /// This payment cannot be refunded through the API (the provider knows it by no refundable id).
    case notRefundable(String)
}
