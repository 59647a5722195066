import Logging

/// Telegram's part of reconciliation: the bot's Stars transactions since the window began
/// (`getStarTransactions`, every page) against the charges recorded here. A payment never
/// recorded is applied as its `successful_payment` update would be (the charge id keeps it once,
/// so the update arriving later is a duplicate charge); a refund not recorded is recorded as
/// `payctl stars refund` records one.
struct TelegramReconciler: ProviderReconciler {
    let client: TelegramClient
    let database: Database

    var provider: Provider { .telegram }

    func differences(since: Int64, logger: Logger) throws -> [FoundDifference] {
        let transactions: [Telegram.StarTransaction]
        do {
            transactions = try client.starTransactions(logger: logger).filter { $0.date >= since }
        } catch {
            throw ReconcileError(provider: .telegram, reason: "\(error)")
        }
        let connection = try database.connection()
        let purchases = PurchaseStore(connection: connection)
        let charges = try purchases.charges(among: transactions.map(\.id))
        var found: [FoundDifference] = []
        for transaction in transactions {
            if let source = transaction.source, source.type == "user", let payload = source.invoice_payload {
                guard charges[transaction.id] == nil, let buyer = source.user?.id else { continue }
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
            from: try JSONCoding.encode(JSONValue.object(["update_id": .int(0), "message": message])))
        let source = TelegramWebhookSource(secretToken: [])
        let delivery = TelegramWebhookSource.Delivery(update: update, change: TelegramChange(update))
        let arrival = WebhookEventStore.Arrival(
            provider: .telegram, eventKey: "charge:\(transaction.id)", eventType: delivery.change.eventType,
            objectID: purchaseID, verification: .reconcile)
        return try WebhookPipeline(source: source, database: database).record(
            delivery, arrival: arrival, trail: WebhookTrail(logger: logger, provider: .telegram)
        ).outcome
    }
}
