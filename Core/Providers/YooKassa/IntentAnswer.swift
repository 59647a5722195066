import Base
import Domain
import FoundationEssentials
import Logging

/// The answer of `create-intent`.
struct IntentAnswer: Encodable {
    struct Confirmation: Encodable {
        let type: String
        let confirmation_url: String
    }
    let payment_id: String
    let status: String
    let amount: YooKassa.Amount
    let confirmation: Confirmation?

    init(_ payment: PaymentRecord) {
        payment_id = payment.id.uuidString.lowercased()
        status = payment.status.rawValue
        amount = YooKassa.Amount(payment.amount)
        confirmation = payment.confirmationURL.map { Confirmation(type: "redirect", confirmation_url: $0) }
    }
}
