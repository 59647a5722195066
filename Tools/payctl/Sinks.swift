import ArgumentParser
import Core

/// `payctl sinks`: each sink's state and health; `pause` and `resume` steer one.
struct Sinks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each sink's state and health over the last day; pause or resume one.",
        subcommands: [List.self, Pause.self, Resume.self], defaultSubcommand: List.self)

    /// `payctl sinks [list]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Each sink: kind, events, state, deliveries by status, success rate, oldest undelivered, last error.")

        @Option(help: "The window: 45s, 30m, 2h, 1d.") var since = Window(seconds: 86_400)
        @Flag(help: "Print JSON lines for scripts.") var json = false

        func run() throws {
            let console = Console(json: json)
            let sinks = try console.sinks()
            let board = SinkBoard(connection: try console.connect())
            let standings = try console.run { try board.standings(of: sinks, windowSeconds: since.seconds) }
            for standing in standings {
                console.emit(human: Sinks.describe(standing, style: console.style), machine: standing)
            }
            if standings.isEmpty { console.note("No sinks: the sinks file (SINKS_PATH) names none.") }
        }
    }

    /// `payctl sinks pause NAME`.
    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop attempting a sink's deliveries: they keep accruing, none is lost or counted (writes).")

        @Argument(help: "The sink, as named in the sinks file.") var name: String
        @Option(help: "Why, for the next operator.") var reason: String?
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let sink: String
            let previous: SinkState
            let state: SinkState
        }

        func run() throws {
            let console = Console(json: json)
            let board = SinkBoard(connection: try console.connect())
            try Sinks.requireKnown(name, board: board, console: console)
            let previous = try console.run { try board.pause(name, by: console.operatorName, reason: reason) }
            console.emit(
                human:
                    "Sink \(name) is paused (was \(previous.rawValue)): its deliveries wait; a round already under way finishes. `payctl sinks resume \(name)` sends them in order.",
                machine: Report(sink: name, previous: previous, state: .paused))
        }
    }

    /// `payctl sinks resume NAME`.
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attempt a paused or disabled sink's deliveries again, in order, starting now (writes).")

        @Argument(help: "The sink, as named in the sinks file.") var name: String
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let sink: String
            let resumed: SinkBoard.Resumed
        }

        func run() throws {
            let console = Console(json: json)
            let board = SinkBoard(connection: try console.connect())
            try Sinks.requireKnown(name, board: board, console: console)
            let resumed = try console.run { try board.resume(name, by: console.operatorName) }
            let human: TerminalText =
                resumed.previous == .active
                ? "Sink \(name) was active already; nothing changed."
                : "Sink \(name) is active again (was \(resumed.previous.rawValue)): \(resumed.waiting) waiting delivery(ies) go out in order, starting now"
                    + (resumed.revived > 0 ? ", \(resumed.revived) of them given up while it failed." : ".")
            console.emit(human: human, machine: Report(sink: name, resumed: resumed))
        }
    }

    /// Fails unless `name` is a sink of the sinks file or one with deliveries or a state.
    static func requireKnown(_ name: String, board: SinkBoard, console: Console) throws {
        if try console.sinks().contains(where: { $0.name == name }) { return }
        guard try console.run({ try board.isKnown(name) }) else {
            throw console.fail(
                .finding, "no sink \(name): not in the sinks file and no deliveries.",
                next: "`payctl sinks` lists the sinks.")
        }
    }

    /// A sink's lines: its name, kind, state and counts, then its events, health and next step.
    static func describe(_ standing: SinkBoard.Standing, style: Style) -> TerminalText {
        let state = style.sink(standing.state)
        let counts = DeliveryStatus.allCases.map { "\($0.rawValue) \(standing.deliveries[$0] ?? 0)" }
        var lines: [TerminalText] = [
            style.bold("\(standing.name)") + " \(standing.kind?.rawValue ?? "not in the sinks file") " + state
                + "  " + TerminalText(counts.joined(separator: "  "))
        ]
        lines.append("  events        \(standing.events.isEmpty ? "-" : standing.events.joined(separator: ", "))")
        if let rate = standing.successRate {
            lines.append(
                "  success       \(Int((rate * 100).rounded()))% of \(standing.attempts) attempt(s)"
                    + (standing.failingSince.map { ", every attempt failing since \($0)" } ?? ""))
        }
        if let oldest = standing.oldestUndeliveredSeconds {
            lines.append("  oldest        undelivered for \(oldest)s")
        }
        if let error = standing.lastError {
            let code = error.statusCode.map { "HTTP \($0)" }
            lines.append(
                "  last error    \(error.at) \(code ?? "")" + (error.error == code ? "" : " " + style.dim(error.error)))
        }
        if standing.state != .active {
            lines.append(
                "  \(standing.state.rawValue)      "
                    + "since \(standing.stateChangedAt ?? "?") by \(standing.stateChangedBy ?? "?")"
                    + (standing.reason.map { ": \($0)" } ?? ""))
            lines.append("  next step     payctl sinks resume \(standing.name)")
        } else if (standing.deliveries[.dead] ?? 0) > 0 {
            lines.append("  next step     payctl deliveries retry --sink \(standing.name) --since 1d")
        }
        return TerminalText(lines: lines)
    }
}
