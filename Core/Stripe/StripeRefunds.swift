import Logging

/// Stripe's side of refunds: `POST /v1/refunds` by `payment_intent` (or `charge`) with
/// `Idempotency-Key` from the local refund, and `GET /v1/refunds/{id}`. The key must be allowed
/// Refunds: Write; a restricted key without it is named in the refusal.
extension StripeClient: RefundGateway {
    /// What a restricted key needs for refunds.
    package static let refundPermission = "Refunds: Write (rak_refund_write)"

    package func create(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund
    {
        let key = payment.providerPaymentID ?? ""
        let target: (String, String)
        if key.hasPrefix("pi_") {
            target = ("payment_intent", key)
        } else if key.hasPrefix("ch_") {
            target = ("charge", key)
        } else {
            throw .notRefundable(
                "Stripe knows this payment as \(key.isEmpty ? "nothing" : key), not by a PaymentIntent or charge; refund it in the Dashboard"
            )
        }
        var fields = [target, ("amount", String(refund.amount.minorUnits))]
        fields += refund.metadata.sorted { $0.key < $1.key }.map { ("metadata[\($0.key)]", $0.value) }
        if let reason = refund.reason { fields.append(("metadata[reason]", BoundedText.clip(reason, 500))) }
        return try Self.readable { () throws(StripeError) in
            try createRefund(fields, idempotencyKey: refund.idempotencyKey)
        }
    }

    package func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund {
        try Self.readable { () throws(StripeError) in try self.refund(id: providerRefundID) }
    }

    private static func readable(
        _ call: () throws(StripeError) -> Stripe.Refund
    ) throws(RefundGatewayError)
        -> ProviderRefund
    {
        let object: Stripe.Refund
        do {
            object = try call()
        } catch .rejected(let status, let message) {
            // A 403 on a restricted key is a missing permission; Stripe's text echoes the key's
            // prefix, so only the permission is passed on.
            if status == 403 {
                throw .rejected(status: 403, message: "permission denied", permission: refundPermission)
            }
            throw .rejected(status: status, message: message)
        } catch {
            throw .unavailable("\(error)")
        }
        guard let refund = object.providerRefund else { throw .unavailable("Stripe answered an unreadable refund") }
        return refund
    }
}
