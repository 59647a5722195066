import Base
import Domain
import FoundationEssentials
import Logging
import Providers

/// Compares each provider's own record of payments, refunds and charges over a window with what
/// was recorded here, names each difference, and with `apply` brings each missed change in through
/// the same use case its webhook runs (`webhook_events` row with verification `reconcile`, domain
/// events and deliveries following; a webhook arriving later, or a second run, is a duplicate).
/// Each provider's run is kept in `reconcile_runs`, one that could not read the provider too (with
/// its error), which `payctl check` reads.
package struct Reconciler {
    /// What a run found and did.
    package struct Report: Sendable, Encodable {
        package let since: String
        package let providers: [Provider]
        package let differences: [Difference]
        package let applied: Int
        /// Providers whose lists could not be read this time; the others were compared.
        package let failures: [ReconcileError]

        /// Differences still standing after the run (all of them without `apply`).
        package var unresolved: Int { differences.filter(\.stands).count }
    }

    private let reconcilers: [any ProviderReconciler]
    private let database: Database
    /// Seconds at the end of the window left alone: a webhook that recent may still be on its way.
    private let graceSeconds: Int64

    /// A reconciler for each of `providers` the environment has credentials for: YooKassa's shop
    /// id and key, `STRIPE_API_KEY` (Events: Read), `TELEGRAM_BOT_TOKEN`. Asking for a provider
    /// without them is a configuration error; `nil` asks for every configured one.
    /// `RECONCILE_GRACE` (default `5m`) is how recent a change is left to its webhook.
    package init(providers: [Provider]?, context: FunctionContext) throws {
        let config = context.config
        graceSeconds = Int64(try config.duration("RECONCILE_GRACE", default: "5m") / 1_000)
        let wanted = providers ?? Provider.allCases.filter { ProviderTable.isConfigured($0, config: config) }
        let database = try context.store()
        self.database = database
        reconcilers = try wanted.map { try ProviderTable.reconciler($0, config: config, database: database) }
    }

    /// Compares the last `seconds` (but the last `graceSeconds`); with `apply`, brings each missed
    /// change in. A provider that cannot be read is reported and the others are still compared.
    package func run(seconds: Int, apply: Bool, logger: Logger) throws -> Report {
        let now = Int64(Date.now.timeIntervalSince1970)
        let since = now - Int64(seconds)
        var differences: [Difference] = []
        var failures: [ReconcileError] = []
        var applied = 0
        for reconciler in reconcilers {
            var found: [Difference] = []
            do {
                let items = try reconciler.differences(since: since, until: now - graceSeconds, logger: logger)
                for var item in items {
                    if apply, let run = item.apply {
                        item.difference.applied = try run()
                        applied += 1
                    }
                    found.append(item.difference)
                }
            } catch {
                // Whatever stopped this provider's run is recorded as its failure; the others go on.
                let failure =
                    error as? ReconcileError ?? ReconcileError(provider: reconciler.provider, reason: "\(error)")
                failures.append(failure)
                try ReconcileStore(connection: try database.connection()).record(failure, since: since)
                continue
            }
            try ReconcileStore(connection: try database.connection()).record(
                provider: reconciler.provider, since: since, differences: found)
            differences += found
        }
        return Report(
            since: UnixTime.iso8601(since),
            providers: reconcilers.map(\.provider), differences: differences, applied: applied, failures: failures)
    }
}
