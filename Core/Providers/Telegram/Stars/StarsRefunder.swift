import Base
import Domain
import Logging

/// Gives a Stars charge back through `refundStarPayment`, as `payctl stars refund` does it. Telegram
/// refuses a second refund of one charge (`CHARGE_ALREADY_REFUNDED`, taken as done), so asking
/// again after a crash or a timeout is safe; the charge is recorded refunded once, and a purchase
/// whose own charge it was becomes `refunded` with one `purchase_refunded`.
package struct StarsRefunder {
    /// Why a charge is not refunded before Telegram is asked.
    package enum Refusal: Error, Sendable, Equatable {
        case unknownCharge
        /// The update gave no buyer id, so Telegram cannot be told whom to pay back.
        case unknownBuyer(ChargeRecord)
    }

    /// How a refund ended.
    package enum Outcome: Sendable, Equatable {
        /// The Stars went back now; `purchase` is the purchase it refunded, when the charge paid one.
        case refunded(ChargeRecord, purchase: PurchaseRecord?)
        /// Refunded before (recorded here): nothing was sent.
        case alreadyRefunded(ChargeRecord)
        /// Telegram refused: nothing went back.
        case failed(ChargeRecord, reason: String)
        /// No answer: asking again is safe.
        case interrupted(ChargeRecord, reason: String)
    }

    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// The charge as recorded, or a refusal.
    package func charge(_ chargeID: String) throws -> ChargeRecord {
        guard let charge = try PurchaseStore(connection: connection).lockCharge(chargeID) else {
            throw Refusal.unknownCharge
        }
        return charge
    }

    /// Refunds `chargeID` through `telegram`, with audit lines for `operatorName`.
    package func refund(
        chargeID: String, telegram: TelegramClient, operatorName: String, logger: Logger
    ) throws
        -> Outcome
    {
        let charge = try charge(chargeID)
        if charge.refundedAt != nil { return .alreadyRefunded(charge) }
        guard let buyer = Int64(charge.userID) else { throw Refusal.unknownBuyer(charge) }
        try audit(charge, "stars.refund.requested", operatorName: operatorName)
        do {
            try telegram.refundStarPayment(userID: buyer, chargeID: chargeID, logger: logger)
        } catch .rejected(let code, let description) {
            let reason = "\(code): \(description)"
            try audit(charge, "stars.refund.failed", operatorName: operatorName, extra: ["error": .string(reason)])
            return .failed(charge, reason: reason)
        } catch {
            return .interrupted(charge, reason: "\(error)")
        }
        CrashPoint.reach("stars_refund_after_provider")
        return try recordRefunded(charge, operatorName: operatorName)
    }

    /// Records a charge Telegram has refunded (asked here, or found by reconciliation): the charge
    /// once, and the purchase it paid, with `purchase_refunded`.
    func recordRefunded(_ charge: ChargeRecord, operatorName: String) throws -> Outcome {
        try connection.transaction {
            guard let (refunded, moved) = try PurchaseLedger(connection: connection).recordRefund(of: charge) else {
                return .alreadyRefunded(try PurchaseStore(connection: connection).lockCharge(charge.chargeID) ?? charge)
            }
            try audit(refunded, "stars.refund.succeeded", operatorName: operatorName)
            return .refunded(refunded, purchase: moved)
        }
    }

    /// Charges flagged for refund and not refunded yet.
    package func due() throws -> [ChargeRecord] { try PurchaseStore(connection: connection).refundsDue() }

    private func audit(
        _ charge: ChargeRecord, _ action: String, operatorName: String, extra: [String: JSONValue] = [:]
    ) throws {
        var detail: [String: JSONValue] = [
            "purchase_id": .string(charge.purchaseID), "amount_minor": .int(charge.amount.minorUnits),
            "currency": .string(charge.amount.currency.code), "provider": .string(Provider.telegram.rawValue),
        ]
        detail.merge(extra) { _, new in new }
        try AuditLog(connection: connection).record(
            operator: operatorName, action: action, subject: charge.chargeID, detail: detail)
    }
}
