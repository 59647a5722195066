/// YooKassa API v3 objects, as far as this project reads them. Fields not named here (payment
/// method, card data) are never decoded, so they cannot be stored or logged.
public enum YooKassa {
    /// `{"value":"599.00","currency":"RUB"}`: amounts travel as two-decimal strings.
    public struct Amount: Codable, Sendable, Equatable {
        public let value: String
        public let currency: String

        public init(_ money: Money) {
            value = money.decimalString
            currency = money.currency.code
        }

        /// The exact amount, or nil for a malformed value or currency.
        public var money: Money? { Currency(currency).flatMap { Money(decimal: value, currency: $0) } }
    }

    /// A payment object (`POST /v3/payments`, `GET /v3/payments/{id}`, notifications).
    public struct Payment: Decodable, Sendable {
        public struct Confirmation: Decodable, Sendable {
            public let type: String
            public let confirmation_url: String?
        }
        public struct CancellationDetails: Decodable, Sendable {
            public let party: String?
            public let reason: String?
        }
        public let id: String
        public let status: String
        public let amount: Amount
        public let confirmation: Confirmation?
        public let cancellation_details: CancellationDetails?
        public let metadata: [String: JSONValue]?
        public let test: Bool?
    }

    /// A refund object (`GET /v3/refunds/{id}`, `refund.succeeded`).
    public struct Refund: Decodable, Sendable {
        public let id: String
        public let payment_id: String
        public let status: String
        public let amount: Amount
    }

    /// A notification: `{"type":"notification","event":"payment.succeeded","object":{…}}`.
    public struct Notification: Decodable, Sendable {
        /// Only what is needed to route it: the object's id, and a refund's payment id.
        public struct ObjectHeader: Decodable, Sendable {
            public let id: String
            public let payment_id: String?
        }
        public let type: String
        public let event: String
        public let object: ObjectHeader
    }

    /// The body of `POST /v3/payments`.
    public struct CreatePayment: Encodable, Sendable {
        public struct Confirmation: Encodable, Sendable {
            public var type = "redirect"
            public let return_url: String
        }
        public let amount: Amount
        public var capture = true
        public let confirmation: Confirmation
        public let description: String
        public let metadata: [String: String]

        public init(amount: Money, returnURL: String, description: String, metadata: [String: String]) {
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
        let retry_after: Int?
    }
}
