import Base
import Domain
import Logging

/// What a provider itself holds about one payment or purchase, read-only (`payctl trace
/// --provider`): its own lines, oldest first, and what they come to, for comparing with ours.
package struct ProviderHolding: Sendable, Encodable {
    /// One thing the provider holds: a payment, a refund, an event, a transaction.
    package struct Line: Sendable, Encodable {
        /// When the provider made it (RFC 3339), when it says.
        package let at: String?
        package let text: String
    }

    package var lines: [Line] = []
    /// Whether the provider says the money was taken; nil when it does not know the payment.
    package var paid: Bool?
    /// The minor units the provider says went back.
    package var refundedMinor: Int64 = 0

    package init() {}
}

/// The ids a provider knows one of our payments or purchases by.
package struct ProviderObject: Sendable {
    /// Our payment's or purchase's id.
    package let localID: String
    /// The provider's payment id (YooKassa's payment, Stripe's PaymentIntent or Session).
    package let providerPaymentID: String?
    /// Every other id of it seen here (Checkout Sessions, PaymentIntents, charges, refunds).
    package let relatedIDs: Set<String>
    /// When it was made here, in Unix seconds.
    package let createdAt: Int64

    package init(localID: String, providerPaymentID: String?, relatedIDs: Set<String>, createdAt: Int64) {
        self.localID = localID
        self.providerPaymentID = providerPaymentID
        self.relatedIDs = relatedIDs
        self.createdAt = createdAt
    }
}

/// One provider's read of what it holds about a payment or purchase.
package protocol ProviderLookup {
    /// What the provider holds about `object`; throws when its API cannot be read.
    func holding(of object: ProviderObject, logger: Logger) throws -> ProviderHolding
}
