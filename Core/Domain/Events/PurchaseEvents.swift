import Base

/// The domain events of a Stars purchase.
package enum PurchaseEvents {
    package static func invoiceCreated(_ purchase: PurchaseRecord, mode: String) -> DomainEvent {
        event(.purchaseInvoiceCreated, purchase, key: "", extra: ["mode": .string(mode)])
    }

    package static func invoiceReused(_ purchase: PurchaseRecord) -> DomainEvent {
        event(.purchaseInvoiceReused, purchase, key: nil)
    }

    /// `purchase_succeeded`, once per purchase, with where it came from and how long it took.
    /// `buyer` is the Telegram user who paid, as Telegram said (`successful_payment`'s `from.id`,
    /// or the mock purchase's user): the only chat a buyer's notification may go to.
    package static func succeeded(
        _ purchase: PurchaseRecord, previousStatus: PurchaseRecord.Status?, source: String,
        chargeID: String?, millisecondsFromInvoice: Int64?, buyer: Int64?
    ) -> DomainEvent {
        var metadata: [String: JSONValue] = ["source": .string(source)]
        if let chargeID { metadata["telegram_payment_charge_id"] = .string(chargeID) }
        var extra: [String: JSONValue] = [
            "previous_status": previousStatus.map { .string($0.rawValue) } ?? .null,
            "metadata": .object(metadata),
            "ms_from_invoice": millisecondsFromInvoice.map(JSONValue.int) ?? .null,
        ]
        if let buyer, TelegramUser.isUserID(buyer) { extra[TelegramUser.payloadKey] = .int(buyer) }
        return event(.purchaseSucceeded, purchase, key: "", extra: extra)
    }

    package static func failed(
        _ purchase: PurchaseRecord, previousStatus: PurchaseRecord.Status, reason: String
    ) -> DomainEvent {
        event(
            .purchaseFailed, purchase, key: nil,
            extra: ["previous_status": .string(previousStatus.rawValue), "reason": .string(reason)])
    }

    /// A charge that must be refunded: a second payment of one invoice, or one that fits no
    /// purchase; `buyer`, the user Telegram said paid it, is the one to tell.
    package static func refundDue(
        _ purchase: PurchaseRecord, chargeID: String, reason: String, buyer: Int64?
    ) -> DomainEvent {
        var extra: [String: JSONValue] = ["telegram_payment_charge_id": .string(chargeID), "reason": .string(reason)]
        if let buyer, TelegramUser.isUserID(buyer) { extra[TelegramUser.payloadKey] = .int(buyer) }
        return event(.purchaseRefundDue, purchase, key: chargeID, extra: extra)
    }

    /// `purchase_refunded`, once per purchase: its charge went back to the buyer.
    package static func refunded(_ purchase: PurchaseRecord, chargeID: String) -> DomainEvent {
        event(.purchaseRefunded, purchase, key: "", extra: ["telegram_payment_charge_id": .string(chargeID)])
    }

    /// `key` nil: no dedup; "": once per purchase; otherwise once per purchase and key.
    private static func event(
        _ type: DomainEventType, _ purchase: PurchaseRecord, key: String?, extra: [String: JSONValue] = [:]
    ) -> DomainEvent {
        var payload: [String: JSONValue] = [
            "purchase_id": .string(purchase.id), "user_id": .string(purchase.userID),
            "item_id": .string(purchase.itemID),
            "amount_minor": .int(purchase.price.minorUnits), "currency": .string(purchase.price.currency.code),
            "status": .string(purchase.status.rawValue),
        ]
        payload.merge(extra) { _, new in new }
        let dedup = key.map { "\(type):\(purchase.id)" + ($0.isEmpty ? "" : ":\($0)") }
        return DomainEvent(
            type: type, aggregateType: .purchase, aggregateID: purchase.id, payload: .object(payload), dedupKey: dedup)
    }
}
