import Logging

/// A provider's part of reconciliation: lists what the provider holds since a time and compares
/// it with what was recorded. Each provider's lives in its folder (`…Reconciler.swift`).
package protocol ProviderReconciler {
    var provider: Provider { get }

    /// The differences over what the provider made from `since` to `until` (Unix seconds; the
    /// last minutes are left to webhooks still on their way).
    func differences(since: Int64, until: Int64, logger: Logger) throws -> [FoundDifference]
}
