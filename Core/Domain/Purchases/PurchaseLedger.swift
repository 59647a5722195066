import Base

/// The one use case that moves a Stars purchase to paid. Telegram's source maps a
/// `successful_payment` to a `Change` (mock mode asks `succeedMock` or `recordMock`); the ledger records
/// every charge, succeeds the purchase once with `purchase_succeeded`, and flags a charge that
/// fits no purchase, another amount or a purchase paid already for refund (`purchase_refund_due`),
/// and moves a purchase whose charge went back to `refunded`.
package struct PurchaseLedger {
    /// A payment the provider reports for a purchase: the ledger's input.
    package struct Change {
        /// The purchase it pays (the invoice payload).
        package let purchaseID: String
        package let amount: Money
        /// Telegram's charge id, the key of the charge and of its refund.
        package let chargeID: String
        package let providerChargeID: String?
        /// The user Telegram says paid.
        package let buyer: Int64?

        package init(purchaseID: String, amount: Money, chargeID: String, providerChargeID: String?, buyer: Int64?) {
            self.purchaseID = purchaseID
            self.amount = amount
            self.chargeID = chargeID
            self.providerChargeID = providerChargeID
            self.buyer = buyer
        }
    }

    /// What recording a charge did.
    package enum Result {
        /// The purchase is paid now, with its event.
        case succeeded(PurchaseRecord)
        /// This charge was recorded before: nothing more is done.
        case duplicateCharge
        /// No purchase has the payload: the charge is kept and flagged for refund.
        case unknownPurchase
        /// The charge is not the purchase's price: kept, flagged for refund.
        case amountMismatch
        /// A second charge of a purchase paid already: kept, flagged for refund.
        case paidTwice
    }

    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Records `charge` and succeeds its purchase, keeping every charge and flagging extra ones for
    /// refund, its steps on `trail`. Inside the transaction.
    package func record(_ charge: Change, trail: inout WebhookTrail) throws -> Result {
        let purchases = PurchaseStore(connection: connection)
        let events = EventStore(connection: connection)
        let record = { (purchase: PurchaseRecord?, refundDue: Bool, reason: String?) in
            try purchases.recordCharge(
                charge.chargeID, providerChargeID: charge.providerChargeID, purchaseID: charge.purchaseID,
                userID: charge.buyer.map(String.init) ?? purchase?.userID ?? "unknown", amount: charge.amount,
                refundDue: refundDue, reason: reason)
        }
        // The usual case in one statement: a pending purchase of this amount succeeds, and its charge
        // and event go with the commit. A charge seen before takes a unique key (the purchase's or
        // the charge's) and fails the transaction, which runs again down the careful path below.
        if connection.defersWrites,
            let (done, elapsed, previous) = try purchases.succeedIfPayable(
                charge.purchaseID, chargeID: charge.chargeID, amount: charge.amount)
        {
            _ = try record(done, false, nil)
            return try succeeded(done, from: previous, elapsed: elapsed, charge: charge, trail: &trail)
        }
        guard let purchase = try purchases.lock(charge.purchaseID) else {
            guard try record(nil, true, "no such purchase") else { return .duplicateCharge }
            trail.step(
                .purchaseLookup, result: .decided(.unknownPurchase), detail: "charge kept and flagged for refund",
                level: .error)
            return .unknownPurchase
        }
        guard charge.amount == purchase.price else {
            guard try record(purchase, true, "amount differs from the purchase") else { return .duplicateCharge }
            try events.append(
                PurchaseEvents.refundDue(
                    purchase, chargeID: charge.chargeID, reason: WebhookOutcome.amountMismatch.rawValue,
                    buyer: charge.buyer))
            trail.step(
                .amountChecked, result: .decided(.amountMismatch), detail: "expected \(purchase.price)", level: .error)
            return .amountMismatch
        }
        if purchase.status == .succeeded || purchase.status == .refunded {
            guard
                try record(
                    purchase, purchase.telegramPaymentChargeID != charge.chargeID, "second payment of one invoice")
            else {
                trail.step(.chargeRecorded, result: .decided(.duplicateCharge))
                return .duplicateCharge
            }
            try events.append(
                PurchaseEvents.refundDue(purchase, chargeID: charge.chargeID, reason: "paid_twice", buyer: charge.buyer)
            )
            trail.step(.paidTwice, result: .decided(.refundDue), level: .warning)
            return .paidTwice
        }
        guard try record(purchase, false, nil) else { return .duplicateCharge }
        guard let (done, elapsed) = try purchases.succeed(purchase.id, chargeID: charge.chargeID) else {
            return .duplicateCharge
        }
        return try succeeded(done, from: purchase.status, elapsed: elapsed, charge: charge, trail: &trail)
    }

    /// Mock mode's purchase (`stars-purchase`): `pending`, the caller's pending purchase, paid as if
    /// Telegram had charged it; nil when it was paid meanwhile.
    package func succeedMock(_ pending: PurchaseRecord) throws -> PurchaseRecord? {
        guard let (done, elapsed) = try PurchaseStore(connection: connection).succeed(pending.id, chargeID: nil) else {
            return nil
        }
        try EventStore(connection: connection).append(
            PurchaseEvents.succeeded(
                done, previousStatus: .pending, source: "mock", chargeID: nil, millisecondsFromInvoice: elapsed,
                buyer: TelegramUser.id(done.userID)))
        return done
    }

    /// Mock mode's purchase of an item with no invoice yet: recorded paid at once; nil when the id
    /// was taken meanwhile.
    package func recordMock(
        id: String, userID: String, item: Catalog.Item, ownerID: String?
    ) throws -> PurchaseRecord? {
        guard
            let inserted = try PurchaseStore(connection: connection).insert(
                id: id, userID: userID, item: item, status: .succeeded, ownerID: ownerID)
        else { return nil }
        try EventStore(connection: connection).append(
            PurchaseEvents.succeeded(
                inserted, previousStatus: nil, source: "mock", chargeID: nil, millisecondsFromInvoice: nil,
                buyer: TelegramUser.id(inserted.userID)))
        return inserted
    }

    /// A charge Telegram has refunded (asked here, or found by reconciliation): the charge recorded
    /// refunded once, and the purchase it paid (locked first, as the webhook takes them) moved to
    /// `refunded` with `purchase_refunded`. Nil when the charge was recorded refunded before.
    /// Inside the transaction.
    package func recordRefund(of charge: ChargeRecord) throws -> (charge: ChargeRecord, purchase: PurchaseRecord?)? {
        let purchases = PurchaseStore(connection: connection)
        let purchase = try purchases.lock(charge.purchaseID)
        guard let refunded = try purchases.chargeRefunded(charge.chargeID) else { return nil }
        guard purchase != nil, let done = try purchases.refund(refunded.purchaseID, chargeID: charge.chargeID) else {
            return (refunded, nil)
        }
        try EventStore(connection: connection).append(PurchaseEvents.refunded(done, chargeID: charge.chargeID))
        return (refunded, done)
    }

    private func succeeded(
        _ done: PurchaseRecord, from previous: PurchaseRecord.Status, elapsed: Int64?, charge: Change,
        trail: inout WebhookTrail
    ) throws -> Result {
        try EventStore(connection: connection).append(
            PurchaseEvents.succeeded(
                done, previousStatus: previous, source: Provider.telegram.rawValue, chargeID: charge.chargeID,
                millisecondsFromInvoice: elapsed, buyer: charge.buyer))
        trail.step(.purchaseSucceeded, detail: "\(previous.rawValue) → succeeded")
        return .succeeded(done)
    }
}
