import ArgumentParser
import Core

/// `payctl check`: one line per thing that can go wrong, with Nagios-style exit codes, so a cron
/// job or a monitoring agent can page on it.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check for problems and exit as Nagios plugins do: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
            Checks: \(AlarmCheck.allCases.map { "\($0.rawValue) (\($0.defaultThreshold.warning):\($0.defaultThreshold.critical))" }.joined(separator: ", ")). \
            A threshold W:C warns at W and is critical at C; set it with --threshold NAME=W:C or the \
            variable CHECK_NAME (CHECK_DEAD_DELIVERIES=1:10). Refusals and processing errors count \
            within --window (CHECK_WINDOW, default 1h); payments count as stuck once pending for \
            --pending-age (CHECK_PENDING_AGE, default 2h); a provider reconciled before is stale when \
            no run has read it for --reconcile-max-age (CHECK_RECONCILE_MAX_AGE, default 2h, for a \
            reconcile scheduled hourly). Exit 3 when the database cannot be used.
            """)

    @Option(help: "How far back refusals and processing errors count: 15m, 1h, 1d.") var window: Window?
    @Option(help: "How long a payment may stay pending before it counts as stuck.") var pendingAge: Window?
    @Option(help: "How long a provider may go without a reconciliation that read it.") var reconcileMaxAge: Window?
    @Option(help: "A check's threshold, NAME=WARNING:CRITICAL (repeatable).") var threshold: [String] = []
    @Flag(help: "Print JSON for scripts.") var json = false

    /// The whole result, for scripts.
    struct Report: Encodable {
        let status: AlarmLevel
        let window_seconds: Int
        let pending_age_seconds: Int
        /// Whether payctl reached PostgreSQL through a pooler (as the functions may).
        let through_pooler: Bool
        let findings: [Finding]
    }

    func run() throws {
        let console = Console(json: json)
        let thresholds = try thresholds(console)
        let windowSeconds = try seconds(window, variable: "CHECK_WINDOW", default: 3_600, console)
        let pendingSeconds = try seconds(pendingAge, variable: "CHECK_PENDING_AGE", default: 7_200, console)
        let reconcileSeconds = try seconds(
            reconcileMaxAge, variable: "CHECK_RECONCILE_MAX_AGE", default: 7_200, console)
        let connection: PGConnection
        let values: [AlarmCheck: Int64]
        do {
            connection = try console.connect()
            values = try console.run {
                try AlarmStore(connection: connection).values(
                    windowSeconds: windowSeconds, pendingAgeSeconds: pendingSeconds,
                    reconcileAgeSeconds: reconcileSeconds)
            }
        } catch {
            throw Self.unknown("the database cannot be used")
        }
        let pooled = connection.throughPooler()
        let findings = AlarmCheck.allCases.map { check in
            let value = values[check] ?? 0
            let threshold = thresholds[check] ?? check.defaultThreshold
            return Finding(check: check, value: value, threshold: threshold)
        }
        let status = findings.map(\.level).max() ?? .ok
        let counts = [AlarmLevel.critical, .warning].map { level in
            "\(findings.filter { $0.level == level }.count) \(level.label.lowercased())"
        }
        let performance = findings.map {
            "\($0.check.rawValue)=\($0.value);\($0.threshold.warning);\($0.threshold.critical)"
        }
        var lines: [TerminalText] = [
            "PAYMENTS \(status.label) - \(counts.joined(separator: ", ")) | \(performance.joined(separator: " "))"
        ]
        for finding in findings.sorted(by: { $0.level > $1.level }) {
            var line: TerminalText =
                "\(console.style.level(finding.level)) \(finding.check.rawValue) \(finding.value)"
                + " (warning \(finding.threshold.warning), critical \(finding.threshold.critical))"
            if finding.level != .ok { line += ": \(finding.check.nextStep)" }
            lines.append(line)
        }
        if pooled {
            lines.append(
                "Through a pooler: DATABASE_URL reaches PostgreSQL through one, so connections counts the pooler's server"
                    + " connections; its clients are the pooler's to count (PgBouncer: SHOW POOLS).")
        }
        console.emit(
            human: TerminalText(lines: lines),
            machine: Report(
                status: status, window_seconds: windowSeconds, pending_age_seconds: pendingSeconds,
                through_pooler: pooled, findings: findings))
        if status != .ok { throw ExitCode(Int32(status.rawValue)) }
    }

    /// Each check's threshold from the environment, then the flags.
    private func thresholds(_ console: Console) throws -> [AlarmCheck: Threshold] {
        var chosen: [AlarmCheck: Threshold] = [:]
        for check in AlarmCheck.allCases {
            guard let text = console.config.optional(check.variable) else { continue }
            guard let threshold = Threshold(text) else {
                throw Self.unknown(
                    "\(check.variable) must be WARNING:CRITICAL with 1 <= WARNING <= CRITICAL, for example "
                        + "\(check.defaultThreshold.warning):\(check.defaultThreshold.critical)")
            }
            chosen[check] = threshold
        }
        for option in threshold {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let check = AlarmCheck(rawValue: parts[0]), let value = Threshold(parts[1]) else {
                throw Self.unknown(
                    "--threshold \(option) is not NAME=WARNING:CRITICAL for one of "
                        + AlarmCheck.allCases.map(\.rawValue).joined(separator: ", "))
            }
            chosen[check] = value
        }
        return chosen
    }

    private func seconds(_ flag: Window?, variable: String, default value: Int, _ console: Console) throws -> Int {
        if let flag { return flag.seconds }
        guard let text = console.config.optional(variable) else { return value }
        guard let window = Window(argument: text) else {
            throw Self.unknown("\(variable) must be like 45s, 30m, 2h or 1d")
        }
        return window.seconds
    }

    /// Nagios' UNKNOWN: the check itself could not run. Said on stdout, where a monitoring agent reads.
    private static func unknown(_ why: String) -> ExitCode {
        print("PAYMENTS UNKNOWN - \(TerminalText(why).rendered)")
        return ExitCode(3)
    }
}
