import Base
import Domain
import Logging

/// YooKassa's side of refunds: `GET /v3/refunds?payment_id=…` (to find one made for the row),
/// `POST /v3/refunds` with `Idempotence-Key` from the local refund, and `GET /v3/refunds/{id}`.
extension YooKassaClient: RefundGateway {
    package func made(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund?
    {
        guard let paymentID = payment.providerPaymentID else { return nil }
        let local = JSONValue.string(refund.id.uuidString.lowercased())
        let found = try Self.call { () throws(YooKassaError) in try refunds(paymentID: paymentID, logger: logger) }
            .first { $0.metadata?["refund_id"] == local }
        return try found.map { (object) throws(RefundGatewayError) in try Self.readable(object) }
    }

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
        return try Self.readable(
            try Self.call { () throws(YooKassaError) in
                try createRefund(body, idempotenceKey: refund.idempotencyKey, logger: logger)
            })
    }

    package func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund {
        try Self.readable(
            try Self.call { () throws(YooKassaError) in try self.refund(id: providerRefundID, logger: logger) })
    }

    /// Runs a call, telling a refusal from no answer.
    private static func call<Value>(_ body: () throws(YooKassaError) -> Value) throws(RefundGatewayError) -> Value {
        do {
            return try body()
        } catch .rejected(let status, let code, let parameter) {
            throw .rejected(status: status, message: code + (parameter.map { " (parameter \($0))" } ?? ""))
        } catch {
            throw .unavailable("\(error)")
        }
    }

    private static func readable(_ object: YooKassa.Refund) throws(RefundGatewayError) -> ProviderRefund {
        guard let refund = object.providerRefund else { throw .unavailable("YooKassa answered an unreadable refund") }
        return refund
    }
}
