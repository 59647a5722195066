import Base
import Domain
import Logging

/// Telegram's part of reconciliation: the bot's Stars transactions in the window
/// (`getStarTransactions`, every page) against the charges recorded here. A payment never
/// recorded is applied as its `successful_payment` update would be, keyed by its charge id (an
/// update's own key is its `update_id`, which the list does not give; the charge id keeps the
/// payment once, so the update arriving later is a `duplicate_charge`); one already refunded
/// there is recorded refunded, with nothing to fulfil; a refund not recorded is recorded as
/// `payctl stars refund` records one.
package struct TelegramReconciler: ProviderReconciler {
    let client: TelegramClient
    let database: Database

    package init(client: TelegramClient, database: Database) {
        self.client = client
        self.database = database
    }

    package var provider: Provider { .telegram }

    package func differences(since: Int64, until: Int64, logger: Logger) throws -> [FoundDifference] {
        let transactions: [Telegram.StarTransaction]
        do {
            transactions = try client.starTransactions(logger: logger).filter { $0.date >= since && $0.date <= until }
        } catch {
            throw ReconcileError(provider: .telegram, reason: "\(error)")
        }
        let refundedThere = Set(transactions.filter { $0.receiver?.type == "user" }.map(\.id))
        let connection = try database.connection()
        let purchases = PurchaseStore(connection: connection)
        let charges = try purchases.charges(among: transactions.map(\.id))
        var found: [FoundDifference] = []
        for transaction in transactions {
            if let source = transaction.source, source.type == "user", let payload = source.invoice_payload {
                guard charges[transaction.id] == nil, let buyer = source.user?.id else { continue }
                if refundedThere.contains(transaction.id) {
                    // Paid and already given back: recorded as such, nothing to fulfil.
                    found.append(
                        FoundDifference(
                            difference: Difference(
                                kind: .missedRefund, provider: .telegram, localID: payload, providerID: transaction.id,
                                detail:
                                    "Telegram received and refunded \(transaction.amount) XTR; neither is recorded here"
                            ),
                            apply: { try recordRefundedPayment(transaction, purchaseID: payload, buyer: buyer) }))
                    continue
                }
                found.append(
                    FoundDifference(
                        difference: Difference(
                            kind: .missedSuccess, provider: .telegram, localID: payload, providerID: transaction.id,
                            detail: "Telegram received \(transaction.amount) XTR; no charge recorded here"),
                        apply: { try applyPayment(transaction, purchaseID: payload, buyer: buyer, logger: logger) }))
            } else if let receiver = transaction.receiver, receiver.type == "user",
                let charge = charges[transaction.id], charge.refundedAt == nil
            {
                found.append(
                    FoundDifference(
                        difference: Difference(
                            kind: .missedRefund, provider: .telegram, localID: charge.purchaseID,
                            providerID: transaction.id,
                            detail: "Telegram refunded \(transaction.amount) XTR; the charge is not refunded here"),
                        apply: {
                            _ = try StarsRefunder(connection: try database.connection()).recordRefunded(
                                charge, operatorName: "reconcile")
                            return .processed
                        }))
            }
        }
        return found
    }

    /// A payment Telegram took and gave back before either was recorded: its charge, refunded,
    /// and no success for the purchase.
    private func recordRefundedPayment(
        _ transaction: Telegram.StarTransaction, purchaseID: String, buyer: Int64
    )
        throws -> WebhookOutcome
    {
        let connection = try database.connection()
        return try connection.transaction {
            let purchases = PurchaseStore(connection: connection)
            guard
                try purchases.recordCharge(
                    transaction.id, providerChargeID: nil, purchaseID: purchaseID, userID: String(buyer),
                    amount: Money(minorUnits: transaction.amount, currency: .xtr), refundDue: true,
                    reason: "refunded before it was recorded")
            else { return .duplicateCharge }
            _ = try purchases.chargeRefunded(transaction.id)
            return .processed
        }
    }

    /// The payment as its `successful_payment` update would have brought it, through the pipeline.
    private func applyPayment(
        _ transaction: Telegram.StarTransaction, purchaseID: String, buyer: Int64, logger: Logger
    ) throws -> WebhookOutcome {
        let message: JSONValue = .object([
            "from": .object(["id": .int(buyer)]),
            "successful_payment": .object([
                "currency": .string(Currency.xtr.code), "total_amount": .int(transaction.amount),
                "invoice_payload": .string(purchaseID), "telegram_payment_charge_id": .string(transaction.id),
            ]),
        ])
        let update = try JSONCoding.decode(
            Telegram.Update.self,
            from: JSONValue.object(["update_id": .int(0), "message": message]).jsonBytes)
        let source = TelegramWebhookSource(secretToken: [])
        let delivery = TelegramWebhookSource.Delivery(update: update, reading: TelegramReading(update))
        let arrival = WebhookEventStore.Arrival(
            provider: .telegram, eventKey: "charge:\(transaction.id)", eventType: delivery.reading.eventType,
            objectID: purchaseID, verification: .reconcile)
        return try WebhookPipeline(source: source, database: database).record(
            delivery, arrival: arrival, trail: WebhookTrail(logger: logger, provider: .telegram)
        ).outcome
    }
}
