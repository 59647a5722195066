import Base
import Domain
import Logging

/// Stripe's side of refunds: `GET /v1/refunds` of the payment (to find one made for the row),
/// `POST /v1/refunds` by `payment_intent` (or `charge`) with `Idempotency-Key` from the local
/// refund, and `GET /v1/refunds/{id}`. The key must be allowed Refunds: Write; a restricted key
/// without it is named in the refusal.
extension StripeClient: RefundGateway {
    /// What a restricted key needs for refunds.
    package static let refundPermission = "Refunds: Write (rak_refund_write)"

    package func made(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund?
    {
        let target = try Self.target(of: payment)
        let local = refund.id.uuidString.lowercased()
        return try Self.readable { () throws(StripeError) in try refunds(of: target, logger: logger) }
            .first { $0.metadata?["refund_id"] == local }?.providerRefund
    }

    package func create(
        _ refund: RefundRecord, of payment: PaymentRecord, logger: Logger
    ) throws(RefundGatewayError)
        -> ProviderRefund
    {
        var fields = [try Self.target(of: payment), ("amount", String(refund.amount.minorUnits))]
        fields += refund.metadata.sorted { $0.key < $1.key }.map { ("metadata[\($0.key)]", $0.value) }
        if let reason = refund.reason { fields.append(("metadata[reason]", BoundedText.clip(reason, 500))) }
        let made = try Self.readable { () throws(StripeError) in
            try createRefund(fields, idempotencyKey: refund.idempotencyKey, logger: logger)
        }
        guard let answer = made.providerRefund else { throw .unavailable("Stripe answered an unreadable refund") }
        return answer
    }

    /// What Stripe refunds this payment by: its PaymentIntent, else its charge.
    private static func target(of payment: PaymentRecord) throws(RefundGatewayError) -> (field: String, id: String) {
        let key = payment.providerPaymentID ?? ""
        if key.hasPrefix("pi_") { return ("payment_intent", key) }
        if key.hasPrefix("ch_") { return ("charge", key) }
        throw .notRefundable(
            "Stripe knows this payment as \(key.isEmpty ? "nothing" : key), not by a PaymentIntent or charge; refund it in the Dashboard"
        )
    }

    package func fetch(providerRefundID: String, logger: Logger) throws(RefundGatewayError) -> ProviderRefund {
        let object = try Self.readable { () throws(StripeError) in try self.refund(id: providerRefundID, logger: logger)
        }
        guard let refund = object.providerRefund else { throw .unavailable("Stripe answered an unreadable refund") }
        return refund
    }

    /// Runs a call, keeping only Stripe's error code (its message may echo the key's prefix).
    private static func readable<Value>(_ call: () throws(StripeError) -> Value) throws(RefundGatewayError) -> Value {
        do {
            return try call()
        } catch .rejected(let status, _, let code) {
            // A 403 on a restricted key is a missing permission.
            if status == 403 {
                throw .rejected(status: 403, message: "permission denied", permission: refundPermission)
            }
            throw .rejected(status: status, message: code ?? "refused")
        } catch {
            throw .unavailable("\(error)")
        }
    }
}
