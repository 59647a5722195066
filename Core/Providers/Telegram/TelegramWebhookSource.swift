import Base
import Domain
import Logging

/// The Telegram side of `stars-webhook` (`POST /api/v1/purchase/webhook`): updates for Stars
/// payments. The secret token is checked in constant time; each `update_id` is applied once.
/// `pre_checkout_query` is answered in the response body (`answerPreCheckoutQuery`), so the
/// answer reaches Telegram well inside its 10 s, and a repeated query is answered again;
/// `successful_payment` succeeds the purchase, keyed on `telegram_payment_charge_id`.
package struct TelegramWebhookSource: WebhookSource {
    let secretToken: [UInt8]

    package var provider: Provider { .telegram }

    /// `stars-webhook` as deployed, from `TELEGRAM_WEBHOOK_SECRET` (16–256 of `A-Z a-z 0-9 _ -`).
    package static func make(_ context: FunctionContext) throws -> any Handler {
        let secret = try context.config.secret("TELEGRAM_WEBHOOK_SECRET", .telegramWebhookSecret)
        return WebhookPipeline(
            source: TelegramWebhookSource(secretToken: Array(secret.utf8)), database: try context.store())
    }

    /// An update and what it means.
    package struct Delivery {
        let update: Telegram.Update
        let reading: TelegramReading
    }

    package func authenticate(_ request: HTTPRequest, trail: inout WebhookTrail) throws(WebhookRefusal) -> Verification
    {
        let token = request.headers["X-Telegram-Bot-Api-Secret-Token"]
        guard let token, Crypto.constantTimeEquals(Array(token.utf8), secretToken) else {
            throw WebhookRefusal(
                reason: .invalidSecretToken,
                claim: WebhookRejectionStore.Claim(detail: token == nil ? "no secret token" : "wrong secret token"),
                error: APIError(
                    403, "invalid_secret_token", "The X-Telegram-Bot-Api-Secret-Token header is missing or wrong."),
                message: "Telegram webhook with a missing or wrong secret token",
                metadata: [LogKey.hint: "check TELEGRAM_WEBHOOK_SECRET is the secret_token given to setWebhook"])
        }
        return .secretToken
    }

    package func decode(
        _ request: HTTPRequest, verification: Verification, trail: inout WebhookTrail
    ) throws -> Delivery {
        guard let update = try? JSONCoding.decode(Telegram.Update.self, from: request.body) else {
            throw APIError.badRequest("invalid_update", "The body is not a Telegram update.")
        }
        let reading = TelegramReading(update)
        trail.identify(LogKey.eventType, reading.eventType)
        if let purchaseID = reading.purchaseID { trail.identify(LogKey.purchaseID, purchaseID) }
        trail.step(.received(.telegram))
        return Delivery(update: update, reading: reading)
    }

    package func arrival(_ delivery: Delivery, verification: Verification) -> WebhookEventStore.Arrival {
        WebhookEventStore.Arrival(
            provider: .telegram, eventKey: "update:\(delivery.update.update_id)", eventType: delivery.reading.eventType,
            objectID: delivery.reading.purchaseID, verification: verification)
    }

    /// A repeated pre-checkout query is answered again (answering has no effect of its own).
    package func repeated(_ delivery: Delivery, previous: WebhookOutcome) -> WebhookRepeat {
        if case .preCheckout = delivery.reading { return .answerOnly }
        return previous.reappliable ? .apply : .duplicate
    }

    package func apply(
        _ delivery: Delivery, connection: PGConnection, trail: inout WebhookTrail
    ) throws -> WebhookResult {
        switch delivery.reading {
        case .preCheckout(let query):
            let answer = try TelegramReading.answer(query, purchases: PurchaseStore(connection: connection))
            trail.step(.preCheckoutAnswered, result: answer.ok ? .ok : .declined, detail: answer.error_message)
            return WebhookResult(
                outcome: answer.ok ? .answeredOK : .answeredDeclined,
                amount: Money(minorUnits: query.total_amount, currency: .xtr),
                answer: .json(200, answer))
        case .payment(let payment, let buyer):
            let amount = Money(minorUnits: payment.total_amount, currency: Currency(payment.currency) ?? .xtr)
            let change = PurchaseLedger.Change(
                purchaseID: payment.invoice_payload, amount: amount, chargeID: payment.telegram_payment_charge_id,
                providerChargeID: payment.provider_payment_charge_id, buyer: buyer)
            let outcome: WebhookOutcome =
                switch try PurchaseLedger(connection: connection).record(change, trail: &trail) {
                case .succeeded: .processed
                case .duplicateCharge: .duplicateCharge
                case .unknownPurchase: .unknownPurchase
                case .amountMismatch: .amountMismatch
                case .paidTwice: .refundDue
                }
            return WebhookResult(outcome: outcome, amount: amount)
        case .other:
            trail.step(.notHandled, result: .decided(.ignored))
            return WebhookResult(outcome: .ignored)
        }
    }
}
