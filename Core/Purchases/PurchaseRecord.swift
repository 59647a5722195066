/// One row of `purchases`: a digital item bought with Telegram Stars.
public struct PurchaseRecord: Sendable, Equatable {
    /// `pending → succeeded`, `pending → failed`; a real payment still succeeds a failed one.
    public enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
    }

    public let id: String
    public let userID: String
    public let itemID: String
    public let price: Money
    public let status: Status
    public let payURL: String?
    public let telegramPaymentChargeID: String?
}
