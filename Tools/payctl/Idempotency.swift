import ArgumentParser
import Core

/// `payctl idempotency …`: maintenance of the idempotency keys.
struct Idempotency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and purge idempotency keys.", subcommands: [Purge.self])

    /// `payctl idempotency purge [--yes]`: counts expired keys, and deletes them with `--yes`.
    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete expired idempotency keys (a dry run without --yes).")

        @Flag(help: "Delete them; without it only count.") var yes = false
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let expired: Int
            let deleted: Int
        }

        func run() throws {
            let console = Console(json: json)
            let store = IdempotencyStore(connection: try console.connect())
            if yes {
                let deleted = try console.run { try store.purgeExpired() }
                console.emit(human: "Deleted \(deleted) expired idempotency key(s).", machine: Report(expired: deleted, deleted: deleted))
            } else {
                let expired = try console.run { try store.expiredCount() }
                console.emit(
                    human: "\(expired) expired idempotency key(s) would be deleted. Run again with --yes to delete them.",
                    machine: Report(expired: expired, deleted: 0))
            }
        }
    }
}
