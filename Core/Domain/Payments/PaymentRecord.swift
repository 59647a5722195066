import FoundationEssentials

/// One row of `payments`.
package struct PaymentRecord: Sendable, Equatable {
    /// What the payment is for.
    package enum Purpose: Sendable, Equatable {
        case booking(appointmentID: String, serviceSlug: String, kind: BookingKind)
        case subscription(planID: String, userID: String)
        /// A Stripe payment for a CRM deal; the deal id comes from the object's metadata.
        case deal(dealID: String?)
    }

    package let id: UUID
    /// Who takes the money: YooKassa for bookings and subscriptions, Stripe for deals.
    package var provider: Provider = .yookassa
    package let providerPaymentID: String?
    package let status: PaymentStatus
    package let amount: Money
    package let purpose: Purpose
    package let description: String
    package let returnURL: String
    package let confirmationURL: String?
    package let failureCategory: String?
    /// For a subscription: the days its payment buys, fixed when it was created.
    package let periodDays: Int?
    /// The caller who created it, as the gateway identified them; nil for an anonymous payment,
    /// which its id alone lets anyone read.
    package var ownerID: String? = nil
    /// `INV-YYYY-NNNNNN`, given once when the payment first succeeded.
    package var invoiceNumber: String? = nil
    /// When it was created and when it first succeeded, in UTC, ISO 8601 to the second.
    package var createdAt: String = ""
    package var paidAt: String? = nil
    /// What refunds have given back so far; the payment is `refunded` once this is all of it.
    package var amountRefunded: Int64 = 0

    /// What can still be given back.
    package var refundable: Money {
        Money(minorUnits: amount.minorUnits - amountRefunded, currency: amount.currency)
    }
}
