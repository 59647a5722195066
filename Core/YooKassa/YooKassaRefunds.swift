import Logging

/// YooKassa's side of refunds: `POST /v3/refunds` with `Idempotence-Key` from the local refund,
/// and `GET /v3/refunds/{id}`.
extension YooKassaClient: RefundGateway {
    package func create(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund
    {
        guard let paymentID = payment.providerPaymentID else {
            throw .notRefundable("the payment never reached YooKassa")
        }
        let body = YooKassa.CreateRefund(
            payment_id: paymentID, amount: YooKassa.Amount(refund.amount),
            description: refund.reason.map { BoundedText.clip($0, 250) }, metadata: refund.metadata)
        return try Self.readable { () throws(YooKassaError) in
            try createRefund(body, idempotenceKey: refund.idempotencyKey, logger: logger)
        }
    }

    package func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund {
        try Self.readable { () throws(YooKassaError) in try self.refund(id: providerRefundID, logger: logger) }
    }

    private static func readable(
        _ call: () throws(YooKassaError) -> YooKassa.Refund
    ) throws(RefundGatewayError)
        -> ProviderRefund
    {
        let object: YooKassa.Refund
        do {
            object = try call()
        } catch .rejected(let status, let code, let parameter) {
            throw .rejected(status: status, message: code + (parameter.map { " (parameter \($0))" } ?? ""))
        } catch {
            throw .unavailable("\(error)")
        }
        guard let refund = object.providerRefund else { throw .unavailable("YooKassa answered an unreadable refund") }
        return refund
    }
}
