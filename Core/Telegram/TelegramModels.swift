/// Telegram Bot API objects, as far as this project reads them.
public enum Telegram {
    /// `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":…}}`.
    struct Reply<Result: Decodable>: Decodable {
        struct Parameters: Decodable { let retry_after: Int? }
        let ok: Bool
        let result: Result?
        let error_code: Int?
        let description: String?
        let parameters: Parameters?
    }

    /// The body of `createInvoiceLink` for Stars: currency `XTR`, one price, no provider token.
    struct CreateInvoiceLink: Encodable {
        struct Price: Encodable {
            let label: String
            let amount: Int64
        }
        let title: String
        let description: String
        let payload: String
        let provider_token = ""
        let currency = "XTR"
        let prices: [Price]
    }

    /// An update delivered to the webhook; only the parts about payments are read.
    public struct Update: Decodable, Sendable {
        public struct User: Decodable, Sendable { public let id: Int64 }
        public struct PreCheckoutQuery: Decodable, Sendable {
            public let id: String
            public let from: User
            public let currency: String
            public let total_amount: Int64
            public let invoice_payload: String
        }
        public struct SuccessfulPayment: Decodable, Sendable {
            public let currency: String
            public let total_amount: Int64
            public let invoice_payload: String
            public let telegram_payment_charge_id: String
            public let provider_payment_charge_id: String?
        }
        public struct Message: Decodable, Sendable {
            public let from: User?
            public let successful_payment: SuccessfulPayment?
        }
        public let update_id: Int64
        public let pre_checkout_query: PreCheckoutQuery?
        public let message: Message?
    }
}
