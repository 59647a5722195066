import ArgumentParser
import Core

/// `payctl deliveries`: where each domain event's deliveries to the sinks stand; `retry` and
/// `backfill` change them and say what they changed.
struct Deliveries: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List deliveries of domain events to the sinks; retry or backfill them.",
        subcommands: [List.self, Retry.self, Backfill.self], defaultSubcommand: List.self)

    /// `payctl deliveries [list]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")

        @Option(help: "Only this sink.") var sink: String?
        @Option(help: "Only this status: pending, retrying, delivered, dead.") var status: DeliveryStatus?
        @Option(help: "Only this domain event type, e.g. booking_paid.") var event: String?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "Print JSON lines for scripts.") var json = false

        func run() throws {
            let console = Console(json: json)
            let store = DeliveryLog(connection: try console.connect())
            let records = try console.run {
                try store.list(
                    DeliveryLog.Filter(
                        sink: sink, status: status, eventType: event, limit: max(1, min(limit, 10_000))))
            }
            for record in records {
                console.emit(human: Deliveries.describe(record, style: console.style), machine: record)
            }
            if records.isEmpty { console.note("No deliveries match.") }
        }
    }

    /// `payctl deliveries retry ID | --sink S [--since D] [--status dead|retrying]`.
    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make a delivery due now (a dead one gets one more attempt), or recover a sink's dead (or retrying) deliveries, all or those since a time."
        )

        @Argument(help: "The delivery's id.") var id: Int64?
        @Option(help: "Every delivery of this sink in --status.") var sink: String?
        @Option(help: "With --sink: only deliveries made this recently: 45s, 30m, 2h, 1d.") var since: Window?
        @Option(help: "With --sink: dead (the default) or retrying.") var status: DeliveryStatus = .dead
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let retried: Int
        }

        func validate() throws {
            guard (id != nil) != (sink != nil) else { throw ValidationError("Give a delivery id, or --sink S.") }
            guard status == .dead || status == .retrying else {
                throw ValidationError("--status is dead or retrying: pending deliveries are due already.")
            }
        }

        func run() throws {
            let console = Console(json: json)
            let connection = try console.connect()
            let store = DeliveryLog(connection: connection)
            if let id {
                let changed = try console.run { try store.retry(id: id) }
                guard changed else {
                    throw console.fail(
                        .finding, "delivery \(id) does not exist or is already delivered.",
                        next: "`payctl deliveries --status dead` lists what can be retried.")
                }
                console.emit(
                    human: "Delivery \(id) is due now; the next relay run sends it.", machine: Report(retried: 1))
            } else if let sink {
                let (count, state) = try console.run {
                    (
                        try store.retry(sink: sink, status: status, sinceSeconds: since?.seconds),
                        try SinkBoard(connection: connection).state(of: sink)
                    )
                }
                let scope = since.map { " of the last \($0.seconds)s" } ?? ""
                let when =
                    state == .active
                    ? "the next relay run sends them, oldest first within each payment."
                    : "sink \(sink) is \(state.rawValue): they go out once `payctl sinks resume \(sink)`."
                console.emit(
                    human: "\(count) \(status.rawValue) delivery(ies)\(scope) of sink \(sink) are due now; \(when)",
                    machine: Report(retried: count))
            }
        }
    }

    /// `payctl deliveries backfill --sink S --since 7d`.
    struct Backfill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Give a sink the past events it wants and never received (a sink added later gets no history otherwise)."
        )

        @Option(help: "The sink, as named in the sinks file (SINKS_PATH).") var sink: String
        @Option(help: "How far back: 45s, 30m, 2h, 1d.") var since: Window
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let events: Int
        }

        func run() throws {
            let console = Console(json: json)
            guard let configured = try console.sinks().first(where: { $0.name == sink }) else {
                throw console.fail(
                    .configuration, "no sink \(sink) in the sinks file.", next: "check SINKS_PATH and the sink's name.")
            }
            let store = DeliveryLog(connection: try console.connect())
            let count = try console.run { try store.backfill(configured, seconds: since.seconds) }
            console.emit(
                human:
                    "\(count) event(s) of the last \(since.seconds)s will be delivered to \(sink) by the next relay run.",
                machine: Report(events: count))
        }
    }

    /// One line for a delivery: id, sink, status, event, attempts, last answer, next attempt.
    static func describe(_ record: DeliveryRecord, style: Style) -> TerminalText {
        var line: TerminalText =
            "#\(record.id) \(record.sink) \(style.delivery(record.status)) \(record.eventType) "
            + "\(style.dim("\(record.aggregateType) \(record.aggregateID)")) attempts \(record.attempts)"
        if let code = record.lastStatusCode { line += " last HTTP \(code)" }
        if let error = record.lastError, error != "HTTP \(record.lastStatusCode ?? 0)" {
            line += " \(style.dim(error))"
        }
        if let next = record.nextAttemptAt { line += " next \(next)" }
        return line
    }
}

extension DeliveryStatus: ExpressibleByArgument {}
