import Logging

/// A provider's refund API, as `Refunder` uses it. Each call for one local refund carries the same
/// idempotency key (`RefundRecord.idempotencyKey`) and the local id in its metadata. Providers keep
/// keys for a day only, so before asking for a refund the refunder looks for one already made for
/// the row (`made`): a retry days later is still the same refund, never a second one.
package protocol RefundGateway {
    /// The refund the provider already made for `refund` (its metadata names the row), if any.
    func made(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund?

    /// Asks the provider to give back `refund.amount` of `payment`.
    func create(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund

    /// The refund as the provider holds it now.
    func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund
}
