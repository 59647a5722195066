/// One row of `purchases`: a digital item bought with Telegram Stars.
package struct PurchaseRecord: Sendable, Equatable {
    /// `pending → succeeded`, `pending → failed`; a real payment still succeeds a failed one.
    package enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
    }

    package let id: String
    package let userID: String
    package let itemID: String
    package let price: Money
    package let status: Status
    package let payURL: String?
    package let telegramPaymentChargeID: String?
}
