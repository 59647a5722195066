import Logging

/// One way what a provider holds differs from what was recorded here, named by a code.
package struct Difference: Sendable, Encodable {
    /// The codes, a closed list.
    package enum Kind: String, Sendable, Encodable, CaseIterable {
        /// The provider took the money; here the payment (or charge) is not paid.
        case missedSuccess = "missed_success"
        /// The provider canceled or failed it; here it is still open.
        case missedCancellation = "missed_cancellation"
        /// The provider gave money back that is not counted here.
        case missedRefund = "missed_refund"
        /// The amounts differ.
        case amountMismatch = "amount_mismatch"
        /// Recorded here with the provider's id, unknown to the provider.
        case unknownToProvider = "unknown_to_provider"
        /// Further along here than at the provider (paid here, not there).
        case aheadLocally = "ahead_locally"

        /// Whether `--apply` can bring it in: a change the provider's webhook would have made.
        package var appliable: Bool { self == .missedSuccess || self == .missedCancellation || self == .missedRefund }
    }

    package let kind: Kind
    package let provider: Provider
    /// The payment's or purchase's id here, when it is known here.
    package let localID: String?
    /// The provider's id of the payment, refund, event or charge.
    package let providerID: String
    /// What each side says.
    package let detail: String
    /// With `--apply`: how applying it ended (the outcome its webhook would have had).
    package var applied: WebhookOutcome?

    package init(kind: Kind, provider: Provider, localID: String?, providerID: String, detail: String) {
        self.kind = kind
        self.provider = provider
        self.localID = localID
        self.providerID = providerID
        self.detail = detail
    }

    /// Whether it still stands: not applied, or applied to a problem.
    package var stands: Bool { applied.map { $0.severity == .problem } ?? true }

    enum CodingKeys: String, CodingKey {
        case kind, provider, detail, applied
        case localID = "local_id"
        case providerID = "provider_id"
    }
}
