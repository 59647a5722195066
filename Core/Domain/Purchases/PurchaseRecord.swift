/// One row of `purchases`: a digital item bought with Telegram Stars.
package struct PurchaseRecord: Sendable, Equatable {
    /// `pending → succeeded → refunded`, `pending → failed`; a real payment still succeeds a failed one.
    package enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
        /// Paid, then its charge refunded by an operator.
        case refunded
    }

    package let id: String
    package let userID: String
    package let itemID: String
    package let price: Money
    package let status: Status
    package let payURL: String?
    package let telegramPaymentChargeID: String?
    /// The caller who created it, as the gateway identified them; nil when anonymous.
    package var ownerID: String? = nil
    /// When it was created and when it succeeded, in UTC, ISO 8601 to the second.
    package var createdAt: String = ""
    package var succeededAt: String? = nil
}
