import Logging

/// `stars-webhook` (`POST /api/v1/purchase/webhook`): Telegram's updates for Stars payments.
/// The secret token is checked in constant time; each `update_id` is applied once.
/// `pre_checkout_query` is answered in the response body (`answerPreCheckoutQuery`), so the
/// answer reaches Telegram well inside its 10 s; `successful_payment` succeeds the purchase,
/// keyed on `telegram_payment_charge_id`, and keeps every charge, flagging extra ones for refund.
public struct StarsWebhookHandler: Handler {
    private let secretToken: [UInt8]
    private let database: Database

    public init(secretToken: String, database: Database) {
        self.secretToken = Array(secretToken.utf8)
        self.database = database
    }

    /// From `TELEGRAM_WEBHOOK_SECRET` (16–256 of `A-Z a-z 0-9 _ -`).
    public static func make(_ context: FunctionContext) throws -> any Handler {
        let secret = try context.config.secret("TELEGRAM_WEBHOOK_SECRET", .telegramWebhookSecret)
        return StarsWebhookHandler(secretToken: secret, database: try context.store())
    }

    public func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        guard let token = request.headers["X-Telegram-Bot-Api-Secret-Token"], Crypto.constantTimeEquals(Array(token.utf8), secretToken) else {
            logger.warning("Telegram webhook with a missing or wrong secret token")
            WebhookRejectionStore.count(.telegram, .invalidSecretToken, claim: WebhookRejectionStore.Claim(
                detail: request.headers["X-Telegram-Bot-Api-Secret-Token"] == nil ? "no secret token" : "wrong secret token"),
                database: database, logger: logger)
            throw APIError(403, "invalid_secret_token", "The X-Telegram-Bot-Api-Secret-Token header is missing or wrong.")
        }
        guard let update = try? JSONCoding.decode(Telegram.Update.self, from: request.body) else {
            throw APIError.badRequest("invalid_update", "The body is not a Telegram update.")
        }
        let kind = update.pre_checkout_query != nil ? "pre_checkout_query" : update.message?.successful_payment != nil ? "successful_payment" : "other"
        var trail = WebhookTrail(logger: logger, ids: ["update_id": String(update.update_id), "type": kind])
        trail.step("Telegram update received")
        let arrival = WebhookEventStore.Arrival(provider: "telegram", eventKey: "update:\(update.update_id)", eventType: kind,
                                                objectID: update.pre_checkout_query?.invoice_payload ?? update.message?.successful_payment?.invoice_payload,
                                                verification: "secret_token")
        let connection = try database.connection()
        let (response, done) = try trail.transaction(on: connection) { (attempt: inout WebhookTrail) throws -> HTTPResponse in
            let events = WebhookEventStore(connection: connection)
            let claim = try events.claim(arrival)
            if let query = update.pre_checkout_query {
                // A repeated query is answered again: answering has no effect of its own.
                let answer = try preCheckout(query, purchases: PurchaseStore(connection: connection))
                attempt.step("pre-checkout answered", outcome: answer.ok ? "ok" : "declined", detail: answer.error_message)
                if claim.previousOutcome == nil {
                    try events.finish(claim, outcome: answer.ok ? .answeredOK : .answeredDeclined, trail: attempt,
                                      objectStatus: nil, amount: Money(minorUnits: query.total_amount, currency: .xtr), verification: "secret_token")
                }
                return .json(200, answer)
            }
            if let previous = claim.previousOutcome {
                attempt.step("deduplicated", outcome: "duplicate", detail: "first outcome \(previous)")
                return .json(200, ["outcome": WebhookOutcome.duplicate.rawValue])
            }
            guard let payment = update.message?.successful_payment else {
                attempt.step("update type not handled", outcome: "ignored")
                try events.finish(claim, outcome: .ignored, trail: attempt, verification: "secret_token")
                return .json(200, ["outcome": WebhookOutcome.ignored.rawValue])
            }
            let outcome = try settle(payment, buyer: update.message?.from?.id, connection: connection, trail: &attempt)
            try events.finish(claim, outcome: outcome, trail: attempt, objectStatus: nil,
                              amount: Money(minorUnits: payment.total_amount, currency: Currency(payment.currency) ?? .xtr), verification: "secret_token")
            return .json(200, ["outcome": outcome.rawValue])
        }
        done.log.info("Telegram update done")
        return response
    }

    /// `answerPreCheckoutQuery`, returned as the webhook's answer.
    struct PreCheckoutAnswer: Encodable {
        let method = "answerPreCheckoutQuery"
        let pre_checkout_query_id: String
        let ok: Bool
        let error_message: String?
    }

    private func preCheckout(_ query: Telegram.Update.PreCheckoutQuery, purchases: PurchaseStore) throws -> PreCheckoutAnswer {
        let refusal: String?
        if let purchase = try purchases.find(query.invoice_payload) {
            switch purchase.status {
            case .succeeded: refusal = "This purchase has already been paid."
            case .failed: refusal = "This purchase is no longer available; please start again."
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

    /// Records the charge and succeeds its purchase; returns the outcome. Inside the transaction.
    private func settle(_ payment: Telegram.Update.SuccessfulPayment, buyer: Int64?, connection: PGConnection, trail: inout WebhookTrail) throws -> WebhookOutcome {
        let purchases = PurchaseStore(connection: connection)
        let events = EventStore(connection: connection)
        let amount = Money(minorUnits: payment.total_amount, currency: Currency(payment.currency) ?? .xtr)
        trail.identify("purchase_id", payment.invoice_payload)
        let record = { (purchase: PurchaseRecord?, refundDue: Bool, reason: String?) in
            try purchases.recordCharge(payment.telegram_payment_charge_id, providerChargeID: payment.provider_payment_charge_id,
                                       purchaseID: payment.invoice_payload, userID: buyer.map(String.init) ?? purchase?.userID ?? "unknown",
                                       amount: amount, refundDue: refundDue, reason: reason)
        }
        guard let purchase = try purchases.lock(payment.invoice_payload) else {
            guard try record(nil, true, "no such purchase") else { return .duplicateCharge }
            trail.step("purchase lookup", outcome: "unknown_purchase", detail: "charge kept and flagged for refund", level: .error)
            return .unknownPurchase
        }
        guard amount == purchase.price else {
            guard try record(purchase, true, "amount differs from the purchase") else { return .duplicateCharge }
            try events.append(PurchaseEvents.refundDue(purchase, chargeID: payment.telegram_payment_charge_id, reason: "amount_mismatch"))
            trail.step("amount checked", outcome: "amount_mismatch", detail: "expected \(purchase.price)", level: .error)
            return .amountMismatch
        }
        if purchase.status == .succeeded {
            guard try record(purchase, purchase.telegramPaymentChargeID != payment.telegram_payment_charge_id, "second payment of one invoice") else {
                trail.step("charge recorded", outcome: "duplicate_charge")
                return .duplicateCharge
            }
            try events.append(PurchaseEvents.refundDue(purchase, chargeID: payment.telegram_payment_charge_id, reason: "paid_twice"))
            trail.step("second payment of a paid purchase", outcome: "refund_due", level: .warning)
            return .refundDue
        }
        guard try record(purchase, false, nil) else { return .duplicateCharge }
        guard let (done, elapsed) = try purchases.succeed(purchase.id, chargeID: payment.telegram_payment_charge_id) else { return .duplicateCharge }
        try events.append(PurchaseEvents.succeeded(done, previousStatus: purchase.status, source: "telegram",
                                                   chargeID: payment.telegram_payment_charge_id, millisecondsFromInvoice: elapsed))
        trail.step("purchase_succeeded", detail: "\(purchase.status.rawValue) → succeeded")
        return .processed
    }
}
