import Base
import Domain
import Providers

/// A payment as the read side shows it to its owner: status, amount, what it is for, when it was
/// created and paid, the confirmation URL while the buyer still has to pay, the invoice number
/// once paid, what refunds gave back once any did. Absent fields are left out.
struct PaymentView: Encodable {
    let payment_id: String
    let status: String
    let amount: AmountBody
    let purpose: String
    let appointment_id: String?
    let service_slug: String?
    let kind: String?
    let plan_id: String?
    let deal_id: String?
    let created_at: String
    let paid_at: String?
    let confirmation_url: String?
    let invoice_number: String?
    let amount_refunded: AmountBody?

    init(_ payment: PaymentRecord) {
        payment_id = payment.id.uuidString.lowercased()
        status = payment.status.rawValue
        amount = AmountBody(payment.amount)
        switch payment.purpose {
        case .booking(let appointmentID, let serviceSlug, let kind):
            (purpose, appointment_id, service_slug, self.kind) = ("booking", appointmentID, serviceSlug, kind.rawValue)
            (plan_id, deal_id) = (nil, nil)
        case .subscription(let planID, _):
            (purpose, plan_id) = ("subscription", planID)
            (appointment_id, service_slug, kind, deal_id) = (nil, nil, nil, nil)
        case .deal(let dealID):
            (purpose, deal_id) = ("deal", dealID)
            (appointment_id, service_slug, kind, plan_id) = (nil, nil, nil, nil)
        }
        created_at = payment.createdAt
        paid_at = payment.paidAt
        confirmation_url = payment.status == .pending ? payment.confirmationURL : nil
        invoice_number = payment.invoiceNumber
        amount_refunded =
            payment.amountRefunded > 0
            ? AmountBody(Money(minorUnits: payment.amountRefunded, currency: payment.amount.currency)) : nil
    }
}

extension HTTPResponse {
    /// A JSON answer that no cache keeps: a status read now may change a second later.
    static func fresh<Value: Encodable>(_ value: Value, status: Int = 200) -> HTTPResponse {
        var response = json(status, value)
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}

extension HTTPRequest {
    /// The last segment of the path: the id of `/api/v1/payments/{payment_id}`, whatever stage
    /// or prefix the gateway put before it.
    var lastPathSegment: Substring { path.split(separator: "/", omittingEmptySubsequences: false).last ?? "" }
}
