import FoundationEssentials

/// One row of `payments`.
public struct PaymentRecord: Sendable, Equatable {
    /// What the payment is for.
    public enum Purpose: Sendable, Equatable {
        case booking(appointmentID: String, serviceSlug: String, kind: BookingKind)
        case subscription(planID: String, userID: String)
        /// A Stripe payment for a CRM deal; the deal id comes from the object's metadata.
        case deal(dealID: String?)
    }

    public let id: UUID
    public let providerPaymentID: String?
    public let status: PaymentStatus
    public let amount: Money
    public let purpose: Purpose
    public let description: String
    public let returnURL: String
    public let confirmationURL: String?
    public let failureCategory: String?
}

/// A deposit or the full price of a booked service.
public enum BookingKind: String, Sendable, CaseIterable, Codable {
    case deposit
    case full
}
