import Base
import Domain
import Providers

/// A payment as the read side shows it to its owner: status, amount, what it is for, when it was
/// created and paid, the confirmation URL while the buyer still has to pay, the invoice number
/// once paid, what refunds gave back once any did. Absent fields are left out.
struct PaymentView {
    /// The answer's members; a field with nothing to say is left out.
    let json: JSONValue

    init(_ payment: PaymentRecord) {
        var members: [String: JSONValue] = [
            "payment_id": .string(payment.id.uuidString.lowercased()), "status": .string(payment.status.rawValue),
            "amount": AmountBody(payment.amount).json, "created_at": .string(payment.createdAt),
        ]
        switch payment.purpose {
        case .booking(let appointmentID, let serviceSlug, let kind):
            members["purpose"] = "booking"
            members["appointment_id"] = .string(appointmentID)
            members["service_slug"] = .string(serviceSlug)
            members["kind"] = .string(kind.rawValue)
        case .subscription(let planID, _):
            members["purpose"] = "subscription"
            members["plan_id"] = .string(planID)
        case .deal(let dealID):
            members["purpose"] = "deal"
            members["deal_id"] = dealID.map(JSONValue.string)
        }
        members["paid_at"] = payment.paidAt.map(JSONValue.string)
        members["confirmation_url"] = payment.status == .pending ? payment.confirmationURL.map(JSONValue.string) : nil
        members["invoice_number"] = payment.invoiceNumber.map(JSONValue.string)
        if payment.amountRefunded > 0 {
            members["amount_refunded"] =
                AmountBody(Money(minorUnits: payment.amountRefunded, currency: payment.amount.currency)).json
        }
        json = .object(members)
    }
}

extension HTTPResponse {
    /// A JSON answer that no cache keeps: a status read now may change a second later.
    static func fresh<Value: Encodable>(_ value: Value, status: Int = 200) -> HTTPResponse {
        json(status, value).notStored
    }

    /// The same, for a value already in JSON form (written without an encoder).
    static func fresh(_ value: JSONValue) -> HTTPResponse { json(200, value).notStored }

    /// This answer with `Cache-Control: no-store`.
    private var notStored: HTTPResponse {
        var response = self
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}

extension HTTPRequest {
    /// The last segment of the path: the id of `/api/v1/payments/{payment_id}`, whatever stage
    /// or prefix the gateway put before it.
    var lastPathSegment: Substring { path.split(separator: "/", omittingEmptySubsequences: false).last ?? "" }
}
