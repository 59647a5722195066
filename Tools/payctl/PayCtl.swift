import ArgumentParser
import Core

/// The operator console: migrations and maintenance, read-only unless a command says otherwise.
@main
struct PayCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payctl",
        abstract: "Operator console for the payment functions.",
        subcommands: [
            Migrate.self, Tail.self, Summary.self, Show.self, TraceCommand.self, StripeCommand.self, Purchases.self,
            Deliveries.self, Sinks.self,
            Purge.self, Idempotency.self, Refund.self, StarsCommand.self, Check.self, Reconcile.self,
        ]
    )
}

extension Provider: ExpressibleByArgument {}
