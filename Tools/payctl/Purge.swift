import ArgumentParser
import Core

/// `payctl purge [--yes]`: what is kept only for a while — expired idempotency keys and the
/// counters of refused deliveries past their retention — counted, and deleted with `--yes`.
/// Also reachable as `payctl idempotency purge`.
struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete expired idempotency keys and old counters of refused deliveries (a dry run without --yes).")

    @Option(help: "Keep counters of refused deliveries this long: 45s, 30m, 2h, 1d.") var rejectionsOlderThan = Window(
        seconds: 30 * 86_400)
    @Flag(help: "Delete them; without it only count.") var yes = false
    @Flag(help: "Print JSON for scripts.") var json = false

    struct Report: Encodable {
        let expiredIdempotencyKeys: Int
        let oldRejectionCounters: Int
        let deleted: Bool
    }

    func run() throws {
        let console = Console(json: json)
        let connection = try console.connect()
        let keys = IdempotencyStore(connection: connection)
        let rejections = RejectionLog(connection: connection)
        let retention = rejectionsOlderThan.seconds
        if yes {
            let report = try console.run {
                Report(
                    expiredIdempotencyKeys: try keys.purgeExpired(),
                    oldRejectionCounters: try rejections.purge(olderThan: retention), deleted: true)
            }
            console.emit(
                human:
                    "Deleted \(report.expiredIdempotencyKeys) expired idempotency key(s) and \(report.oldRejectionCounters) "
                    + "counter(s) of refused deliveries older than \(retention)s.", machine: report)
        } else {
            let report = try console.run {
                Report(
                    expiredIdempotencyKeys: try keys.expiredCount(),
                    oldRejectionCounters: try rejections.purgeableCount(olderThan: retention),
                    deleted: false)
            }
            console.emit(
                human:
                    "\(report.expiredIdempotencyKeys) expired idempotency key(s) and \(report.oldRejectionCounters) counter(s) "
                    + "of refused deliveries older than \(retention)s would be deleted. Run again with --yes to delete them.",
                machine: report)
        }
    }
}

/// `payctl idempotency …`: the idempotency keys' maintenance, which `payctl purge` does.
struct Idempotency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Purge expired idempotency keys (as `payctl purge`).", subcommands: [Purge.self])
}
