import Base
import Domain
import Logging

/// YooKassa's payment and its refunds (`GET /v3/payments/{id}`, `GET /v3/refunds?payment_id=`).
struct YooKassaLookup: ProviderLookup {
    let client: YooKassaClient

    func holding(of object: ProviderObject, logger: Logger) throws -> ProviderHolding {
        var holding = ProviderHolding()
        guard let id = object.providerPaymentID else { return holding }
        let payment = try client.payment(id: id, logger: logger)
        holding.paid = payment.status == "succeeded" || payment.status == "waiting_for_capture"
        let amount = payment.amount.money.map(\.description) ?? "an unreadable amount"
        holding.lines.append(
            ProviderHolding.Line(
                at: payment.created_at, text: "YooKassa payment \(payment.id): \(payment.status), \(amount)"))
        for refund in try client.refunds(paymentID: id, logger: logger) {
            let money = refund.amount.money
            if refund.status == "succeeded" { holding.refundedMinor += money?.minorUnits ?? 0 }
            holding.lines.append(
                ProviderHolding.Line(
                    at: refund.created_at,
                    text:
                        "YooKassa refund \(refund.id): \(refund.status), \(money?.description ?? "an unreadable amount")"
                ))
        }
        return holding
    }
}
