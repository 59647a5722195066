import Base
import Domain

/// What a Telegram update means for a Stars purchase: a pre-checkout query to answer, a payment
/// to record, or something this endpoint does not act on.
enum TelegramChange {
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

    /// Records the charge and succeeds its purchase, keeping every charge and flagging extra
    /// ones for refund; returns the outcome. Inside the transaction.
    static func settle(
        _ payment: Telegram.Update.SuccessfulPayment, buyer: Int64?, connection: PGConnection,
        trail: inout WebhookTrail
    ) throws -> WebhookOutcome {
        let purchases = PurchaseStore(connection: connection)
        let events = EventStore(connection: connection)
        let amount = Money(minorUnits: payment.total_amount, currency: Currency(payment.currency) ?? .xtr)
        let charge = payment.telegram_payment_charge_id
        let record = { (purchase: PurchaseRecord?, refundDue: Bool, reason: String?) in
            try purchases.recordCharge(
                charge, providerChargeID: payment.provider_payment_charge_id,
                purchaseID: payment.invoice_payload, userID: buyer.map(String.init) ?? purchase?.userID ?? "unknown",
                amount: amount, refundDue: refundDue, reason: reason)
        }
        // The usual case in one statement: a pending purchase of this amount succeeds, and its charge
        // and event go with the commit. A charge seen before takes a unique key (the purchase's or
        // the charge's) and fails the transaction, which runs again down the careful path below.
        if connection.defersWrites,
            let (done, elapsed, previous) = try purchases.succeedIfPayable(
                payment.invoice_payload, chargeID: charge, amount: amount)
        {
            _ = try record(done, false, nil)
            return try succeeded(done, from: previous, elapsed: elapsed)
        }
        guard let purchase = try purchases.lock(payment.invoice_payload) else {
            guard try record(nil, true, "no such purchase") else { return .duplicateCharge }
            trail.step(
                .purchaseLookup, result: .decided(.unknownPurchase), detail: "charge kept and flagged for refund",
                level: .error)
            return .unknownPurchase
        }
        guard amount == purchase.price else {
            guard try record(purchase, true, "amount differs from the purchase") else { return .duplicateCharge }
            try events.append(
                PurchaseEvents.refundDue(
                    purchase, chargeID: charge, reason: WebhookOutcome.amountMismatch.rawValue, buyer: buyer))
            trail.step(
                .amountChecked, result: .decided(.amountMismatch), detail: "expected \(purchase.price)", level: .error)
            return .amountMismatch
        }
        if purchase.status == .succeeded || purchase.status == .refunded {
            guard try record(purchase, purchase.telegramPaymentChargeID != charge, "second payment of one invoice")
            else {
                trail.step(.chargeRecorded, result: .decided(.duplicateCharge))
                return .duplicateCharge
            }
            try events.append(
                PurchaseEvents.refundDue(purchase, chargeID: charge, reason: "paid_twice", buyer: buyer))
            trail.step(.paidTwice, result: .decided(.refundDue), level: .warning)
            return .refundDue
        }
        guard try record(purchase, false, nil) else { return .duplicateCharge }
        guard let (done, elapsed) = try purchases.succeed(purchase.id, chargeID: charge) else {
            return .duplicateCharge
        }
        return try succeeded(done, from: purchase.status, elapsed: elapsed)

        func succeeded(
            _ done: PurchaseRecord, from previous: PurchaseRecord.Status, elapsed: Int64?
        ) throws -> WebhookOutcome {
            try events.append(
                PurchaseEvents.succeeded(
                    done, previousStatus: previous, source: Provider.telegram.rawValue, chargeID: charge,
                    millisecondsFromInvoice: elapsed, buyer: buyer))
            trail.step(.purchaseSucceeded, detail: "\(previous.rawValue) → succeeded")
            return .processed
        }
    }
}
