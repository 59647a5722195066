/// Stripe API objects, as far as this project reads them. Card details and everything not
/// named here are never decoded.
public enum Stripe {
    /// An event (`evt_…`), as delivered to webhooks and listed by `GET /v1/events`.
    public struct Event: Decodable, Sendable {
        public struct Request: Decodable, Sendable {
            public let id: String?
            public let idempotency_key: String?
        }
        public struct Payload: Decodable, Sendable { public let object: EventObject }

        public let id: String
        public let type: String
        public let created: Int64
        public let livemode: Bool
        public let account: String?
        public let api_version: String?
        public let request: Request?
        public let data: Payload
    }

    /// The `data.object` of the event types handled: a Checkout Session, PaymentIntent, Charge
    /// or Invoice. Fields that do not apply to a type are nil.
    public struct EventObject: Decodable, Sendable {
        public struct PaymentError: Decodable, Sendable {
            public let code: String?
            public let decline_code: String?
        }
        public struct SubscriptionDetails: Decodable, Sendable {
            public let subscription: ObjectID?
            public let metadata: [String: String]?
        }
        public struct Parent: Decodable, Sendable { public let subscription_details: SubscriptionDetails? }

        public let id: String
        public let object: String?
        public let status: String?
        public let payment_status: String?
        public let amount: Int64?
        public let amount_total: Int64?
        public let amount_received: Int64?
        public let amount_refunded: Int64?
        public let amount_paid: Int64?
        public let currency: String?
        public let refunded: Bool?
        public let payment_intent: ObjectID?
        public let subscription: ObjectID?
        public let metadata: [String: String]?
        public let parent: Parent?
        public let subscription_details: SubscriptionDetails?
        public let last_payment_error: PaymentError?
    }

    /// An expandable reference: the id string, or the expanded object's `id`.
    public struct ObjectID: Decodable, Sendable, Equatable {
        public let id: String

        public init(from decoder: Decoder) throws {
            if let id = try? decoder.singleValueContainer().decode(String.self) {
                self.id = id
            } else {
                struct Expanded: Decodable { let id: String }
                self.id = try Expanded(from: decoder).id
            }
        }
    }

    /// A page of `GET /v1/events`.
    public struct EventList: Decodable, Sendable {
        public let data: [Event]
        public let has_more: Bool
    }
}
