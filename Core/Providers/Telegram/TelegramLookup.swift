import Base
import Domain
import Logging

/// The bot's Stars transactions for a purchase (`getStarTransactions`, at most
/// `TelegramLookup.transactionCap` of them): the payment in, whose invoice payload is the
/// purchase's id, and any refund out of its charges.
struct TelegramLookup: ProviderLookup {
    let client: TelegramClient

    /// The most transactions read for one trace: a hundred pages.
    static let transactionCap = 10_000

    func holding(of object: ProviderObject, logger: Logger) throws -> ProviderHolding {
        var holding = ProviderHolding()
        for transaction in try client.starTransactions(atMost: Self.transactionCap, logger: logger) {
            let paidIn = transaction.source?.invoice_payload == object.localID
            let refunded = transaction.receiver != nil && object.relatedIDs.contains(transaction.id)
            guard paidIn || refunded else { continue }
            if paidIn { holding.paid = true }
            if refunded { holding.refundedMinor += transaction.amount }
            holding.lines.append(
                ProviderHolding.Line(
                    at: UnixTime.iso8601(transaction.date),
                    text: "Telegram Stars transaction \(transaction.id): \(transaction.amount) XTR "
                        + (paidIn ? "paid in" : "refunded")))
        }
        return holding
    }
}
