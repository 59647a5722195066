import Base
import Domain

/// What a Telegram update means for a Stars purchase: a pre-checkout query to answer, a payment
/// to record, or something this endpoint does not act on.
enum TelegramReading {
    case preCheckout(Telegram.Update.PreCheckoutQuery)
    case payment(Telegram.Update.SuccessfulPayment, buyer: Int64?)
    case other

    init(_ update: Telegram.Update) {
        if let query = update.pre_checkout_query {
            self = .preCheckout(query)
        } else if let payment = update.message?.successful_payment {
            self = .payment(payment, buyer: update.message?.from?.id)
        } else {
            self = .other
        }
    }

    /// The update's type, as stored and logged.
    var eventType: String {
        switch self {
        case .preCheckout: "pre_checkout_query"
        case .payment: "successful_payment"
        case .other: "other"
        }
    }

    /// The purchase the update names (the invoice payload).
    var purchaseID: String? {
        switch self {
        case .preCheckout(let query): query.invoice_payload
        case .payment(let payment, _): payment.invoice_payload
        case .other: nil
        }
    }

    /// `answerPreCheckoutQuery`, returned as the webhook's answer.
    struct PreCheckoutAnswer: Encodable {
        var method = "answerPreCheckoutQuery"
        let pre_checkout_query_id: String
        let ok: Bool
        let error_message: String?
    }

    /// Yes only for a pending purchase of the query's user, amount and currency.
    static func answer(_ query: Telegram.Update.PreCheckoutQuery, purchases: PurchaseStore) throws -> PreCheckoutAnswer
    {
        let refusal: String?
        if let purchase = try purchases.find(query.invoice_payload) {
            switch purchase.status {
            case .succeeded: refusal = "This purchase has already been paid."
            case .failed: refusal = "This purchase is no longer available; please start again."
            case .refunded: refusal = "This purchase was refunded; please start again."
            case .pending:
                if purchase.userID != String(query.from.id) {
                    refusal = "This purchase belongs to another account."
                } else if query.currency != "XTR" || query.total_amount != purchase.price.minorUnits {
                    refusal = "The price has changed; please request a new invoice."
                } else {
                    refusal = nil
                }
            }
        } else {
            refusal = "This purchase is no longer available; please start again."
        }
        return PreCheckoutAnswer(pre_checkout_query_id: query.id, ok: refusal == nil, error_message: refusal)
    }
}
