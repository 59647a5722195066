import Base
import Domain
import FoundationEssentials

/// YooKassa API v3 objects, as far as this project reads them. Fields not named here (payment
/// method, card data) are never decoded, so they cannot be stored or logged.
package enum YooKassa {
    /// `{"value":"599.00","currency":"RUB"}`: amounts travel as two-decimal strings.
    package typealias Amount = AmountBody

    /// A payment object (`POST /v3/payments`, `GET /v3/payments/{id}`, notifications).
    package struct Payment: Decodable, Sendable {
        package struct Confirmation: Decodable, Sendable {
            package let type: String
            package let confirmation_url: String?
        }
        package struct CancellationDetails: Decodable, Sendable {
            package let party: String?
            package let reason: String?
        }
        package let id: String
        package let status: String
        package let amount: Amount
        package let confirmation: Confirmation?
        package let cancellation_details: CancellationDetails?
        package let metadata: [String: JSONValue]?
        package let test: Bool?
        /// ISO 8601, as lists filter it.
        package let created_at: String?
    }

    /// A refund object (`POST /v3/refunds`, `GET /v3/refunds/{id}`, `refund.succeeded`).
    package struct Refund: Decodable, Sendable {
        package let id: String
        package let payment_id: String
        package let status: String
        package let amount: Amount
        package let metadata: [String: JSONValue]?
        package let created_at: String?

        /// The refund as the ledger reads it; nil for an unreadable amount or an unknown status
        /// (`canceled` is a failed refund).
        package var providerRefund: ProviderRefund? {
            let status: RefundStatus? =
                switch self.status {
                case "pending": .pending
                case "succeeded": .succeeded
                case "canceled": .failed
                default: nil
                }
            guard let status, let money = amount.money else { return nil }
            return ProviderRefund(
                id: id, status: status, amount: money, localID: RefundRecord.localID(in: metadata?["refund_id"]))
        }
    }

    /// A page of a list (`GET /v3/payments`, `GET /v3/refunds`): `next_cursor` only while more remain.
    package struct List<Item: Decodable & Sendable>: Decodable, Sendable {
        package let items: [Item]
        package let next_cursor: String?
    }

    /// The body of `POST /v3/refunds`.
    package struct CreateRefund: Encodable, Sendable {
        package let payment_id: String
        package let amount: Amount
        package let description: String?
        package let metadata: [String: String]
    }

    /// A notification: `{"type":"notification","event":"payment.succeeded","object":{…}}`.
    package struct Notification: Decodable, Sendable {
        /// Only what is needed to route it: the object's id, and a refund's payment id.
        package struct ObjectHeader: Decodable, Sendable {
            package let id: String
            package let payment_id: String?
        }
        package let type: String
        package let event: String
        package let object: ObjectHeader
        /// The object in full as the notification gives it: a payment for `payment.*`, a refund
        /// for `refund.*`; nil when the event is neither or the object is incomplete. Read in the
        /// same pass as the header, so a body is parsed once.
        package let payment: Payment?
        package let refund: Refund?

        private enum CodingKeys: String, CodingKey { case type, event, object }

        /// The notification YooKassa would have sent for a change found through its API.
        package init(event: String, object: ObjectHeader, payment: Payment? = nil, refund: Refund? = nil) {
            self.type = "notification"
            self.event = event
            self.object = object
            self.payment = payment
            self.refund = refund
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(String.self, forKey: .type)
            event = try container.decode(String.self, forKey: .event)
            object = try container.decode(ObjectHeader.self, forKey: .object)
            payment = event.hasPrefix("payment.") ? try? container.decode(Payment.self, forKey: .object) : nil
            refund = event.hasPrefix("refund.") ? try? container.decode(Refund.self, forKey: .object) : nil
        }
    }

    /// The body of `POST /v3/payments`.
    package struct CreatePayment: Encodable, Sendable {
        package struct Confirmation: Encodable, Sendable {
            package var type = "redirect"
            package let return_url: String
        }
        package let amount: Amount
        package var capture = true
        package let confirmation: Confirmation
        package let description: String
        package let metadata: [String: String]

        package init(amount: Money, returnURL: String, description: String, metadata: [String: String]) {
            self.amount = Amount(amount)
            self.confirmation = Confirmation(return_url: returnURL)
            self.description = description
            self.metadata = metadata
        }
    }

    /// The error body: `{"type":"error","id":…,"code":…,"description":…,"parameter":…}`; a
    /// 202 answer carries `retry_after` in milliseconds.
    struct ErrorBody: Decodable {
        let type: String?
        let code: String?
        let description: String?
        let parameter: String?
        let retry_after: Int64?
    }
}
