import Base
import FoundationEssentials

/// A refund as its provider reports it: in the answer to a refund request, a notification, an
/// event or a list.
package struct ProviderRefund: Sendable, Equatable {
    package let id: String
    package let status: RefundStatus
    package let amount: Money
    /// The local refund's id, when the provider echoes the metadata it was created with.
    package var localID: UUID? = nil

    package init(id: String, status: RefundStatus, amount: Money, localID: UUID? = nil) {
        self.id = id
        self.status = status
        self.amount = amount
        self.localID = localID
    }
}
