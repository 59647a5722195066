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

/// A difference as a provider's reconciler finds it, with the way to apply it when it can be.
package struct FoundDifference {
    package var difference: Difference
    /// Applies it through the webhook pipeline; nil when it is for an operator to settle.
    package let apply: (() throws -> WebhookOutcome)?

    package init(difference: Difference, apply: (() throws -> WebhookOutcome)?) {
        self.difference = difference
        self.apply = apply
    }
}

/// A provider's part of reconciliation: lists what the provider holds since a time and compares
/// it with what was recorded. Each provider's lives in its folder (`…Reconciler.swift`).
package protocol ProviderReconciler {
    var provider: Provider { get }

    /// The differences over what the provider made from `since` to `until` (Unix seconds; the
    /// last minutes are left to webhooks still on their way).
    func differences(since: Int64, until: Int64, logger: Logger) throws -> [FoundDifference]
}

/// A provider's list could not be read.
package struct ReconcileError: Error, Sendable, Encodable {
    package let provider: Provider
    package let reason: String

    package init(provider: Provider, reason: String) {
        self.provider = provider
        self.reason = reason
    }
}
