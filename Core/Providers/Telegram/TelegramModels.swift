/// Telegram Bot API objects, as far as this project reads them.
package enum Telegram {
    /// `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":…}}`.
    package struct Reply<Result: Decodable>: Decodable {
        package struct Parameters: Decodable { package let retry_after: Int64? }
        let ok: Bool
        let result: Result?
        let error_code: Int?
        package let description: String?
        package let parameters: Parameters?
    }

    /// The body of `refundStarPayment`.
    struct RefundStarPayment: Encodable {
        let user_id: Int64
        let telegram_payment_charge_id: String
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
    package struct Update: Decodable, Sendable {
        package struct User: Decodable, Sendable { package let id: Int64 }
        package struct PreCheckoutQuery: Decodable, Sendable {
            package let id: String
            package let from: User
            package let currency: String
            package let total_amount: Int64
            package let invoice_payload: String
        }
        package struct SuccessfulPayment: Decodable, Sendable {
            package let currency: String
            package let total_amount: Int64
            package let invoice_payload: String
            package let telegram_payment_charge_id: String
            package let provider_payment_charge_id: String?
        }
        package struct Message: Decodable, Sendable {
            package let from: User?
            package let successful_payment: SuccessfulPayment?
        }
        package let update_id: Int64
        package let pre_checkout_query: PreCheckoutQuery?
        package let message: Message?
    }

    /// One Stars transaction of `getStarTransactions`: a payment in (`source` a user, with the
    /// invoice payload), or a refund out (`receiver` a user); `id` is the payment's charge id.
    package struct StarTransaction: Decodable, Sendable {
        package struct Partner: Decodable, Sendable {
            package let type: String
            package let user: Update.User?
            package let invoice_payload: String?
        }
        package let id: String
        package let amount: Int64
        package let date: Int64
        package let source: Partner?
        package let receiver: Partner?
    }

    /// `getStarTransactions`' result.
    struct StarTransactions: Decodable {
        let transactions: [StarTransaction]
    }

    /// The body of `getStarTransactions`.
    struct GetStarTransactions: Encodable {
        let offset: Int
        let limit: Int
    }
}
