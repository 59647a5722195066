import Base
import Domain

/// Stripe API objects, as far as this project reads them. Card details and everything not
/// named here are never decoded.
package enum Stripe {
    /// An event (`evt_…`), as delivered to webhooks and listed by `GET /v1/events`.
    package struct Event: Decodable, Sendable {
        package struct Request: Decodable, Sendable {
            package let id: String?
            package let idempotency_key: String?
        }
        package struct Payload: Decodable, Sendable { package let object: EventObject }

        package let id: String
        package let type: String
        package let created: Int64
        package let livemode: Bool
        package let account: String?
        package let api_version: String?
        package let request: Request?
        package let data: Payload
    }

    /// The `data.object` of the event types handled: a Checkout Session, PaymentIntent, Charge,
    /// Invoice or Refund. Fields that do not apply to a type are nil.
    package struct EventObject: Decodable, Sendable {
        package struct PaymentError: Decodable, Sendable {
            package let code: String?
            package let decline_code: String?
        }
        package struct SubscriptionDetails: Decodable, Sendable {
            package let subscription: ObjectID?
            package let metadata: [String: String]?
        }
        package struct Parent: Decodable, Sendable { package let subscription_details: SubscriptionDetails? }

        package let id: String
        package let object: String?
        package let status: String?
        package let payment_status: String?
        package let amount: Int64?
        package let amount_total: Int64?
        package let amount_received: Int64?
        package let amount_paid: Int64?
        package let currency: String?
        package let payment_intent: ObjectID?
        package let charge: ObjectID?
        package let subscription: ObjectID?
        package let metadata: [String: String]?
        package let parent: Parent?
        package let subscription_details: SubscriptionDetails?
        package let last_payment_error: PaymentError?
    }

    /// An expandable reference: the id string, or the expanded object's `id`.
    package struct ObjectID: Decodable, Sendable, Equatable {
        package let id: String

        package init(from decoder: Decoder) throws {
            if let id = try? decoder.singleValueContainer().decode(String.self) {
                self.id = id
            } else {
                struct Expanded: Decodable { let id: String }
                self.id = try Expanded(from: decoder).id
            }
        }
    }

    /// A refund (`re_…`): the answer to `POST /v1/refunds`, and the object of `refund.*` events.
    package struct Refund: Decodable, Sendable {
        package let id: String
        package let amount: Int64
        package let currency: String
        package let status: String?
        package let payment_intent: ObjectID?
        package let charge: ObjectID?
        package let metadata: [String: String]?

        /// The refund as the ledger reads it; nil for an unreadable currency or status.
        package var providerRefund: ProviderRefund? {
            Self.providerRefund(id: id, status: status, amount: amount, currency: currency, metadata: metadata)
        }

        /// A refund from its fields, wherever they were read (an answer or an event's object).
        static func providerRefund(
            id: String, status: String?, amount: Int64?, currency: String?, metadata: [String: String]?
        ) -> ProviderRefund? {
            let state: RefundStatus? =
                switch status {
                case "pending", "requires_action": .pending
                case "succeeded": .succeeded
                case "failed", "canceled": .failed
                default: nil
                }
            guard let state, let amount, let currency = currency.flatMap({ Currency($0.uppercased()) }) else {
                return nil
            }
            return ProviderRefund(
                id: id, status: state, amount: Money(minorUnits: amount, currency: currency),
                localID: RefundRecord.localID(in: metadata?["refund_id"].map(JSONValue.string)))
        }
    }

    /// A page of `GET /v1/events`.
    package struct EventList: Decodable, Sendable {
        package let data: [Event]
        package let has_more: Bool
    }
}
