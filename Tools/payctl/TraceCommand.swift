import ArgumentParser
import Core
import FoundationEssentials

/// `payctl trace ID`: one payment's or purchase's timeline, oldest first, and why it stands as it
/// does, from any id an operator has in hand.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "One payment's or purchase's timeline, from any of its ids, and the one line that says why.",
        discussion: """
            ID is our payment or purchase id, a deal or appointment id, a provider's payment id, a \
            PaymentIntent, Checkout Session or charge id, a Stripe or YooKassa event id, a Stars \
            charge id, a domain event id or a delivery id.
            """)

    @Argument(help: "Any id of the payment or purchase.") var id: String
    @Option(help: "Only what happened this recently: 45s, 30m, 2h, 1d.") var since: Window?
    @Flag(help: "Add what the provider itself holds (read-only), marking where it disagrees.") var provider = false
    @Flag(help: "Print JSON for scripts.") var json = false

    struct Matches: Encodable {
        let matches: [PaymentTrace.Match]
    }

    func run() throws {
        let console = Console(json: json)
        let connection = try console.connect()
        let matches = try console.run { try PaymentTrace(connection: connection).resolve(id) }
        guard let match = matches.first else {
            throw console.fail(
                .finding, "nothing found for \(id).",
                next:
                    "check the id (payctl summary --since 1d lists recent deals and events); a webhook refused before it was believed names no payment (payctl summary counts those)."
            )
        }
        guard matches.count == 1 else {
            let lines = matches.map { TerminalText("  \($0.type.rawValue) \($0.id)  (\($0.via))") }
            console.emit(
                human: TerminalText(lines: ["\(id) names \(matches.count):"] + lines),
                machine: Matches(matches: matches))
            throw console.fail(.finding, "\(id) names more than one.", next: "payctl trace with one of the ids above.")
        }
        guard
            let trace = try console.run({
                try Trace.read(match, connection: connection, lookup: lookup(console), logger: console.logger)
            })
        else { throw console.fail(.finding, "nothing found for \(id).", next: "it was deleted meanwhile; try again.") }
        let shown =
            since.map { trace.keeping(since: Int64(Date.now.timeIntervalSince1970) - Int64($0.seconds)) } ?? trace
        console.emit(human: Self.describe(shown, style: console.style), machine: shown)
    }

    /// With `--provider`, the provider's read-only view, failing when its credentials are not set.
    private func lookup(_ console: Console) -> (Provider) throws -> (any ProviderLookup)? {
        { provider in
            guard self.provider else { return nil }
            guard ProviderTable.isConfigured(provider, config: console.config) else {
                throw console.fail(
                    .configuration, "--provider needs \(provider.displayName)'s API credentials.",
                    next: "set them as for payctl reconcile (README), or trace without --provider.")
            }
            do {
                return try ProviderTable.lookup(provider, config: console.config)
            } catch let error as ConfigError {
                throw console.fail(.configuration, "\(error.variable) \(error.problem).", next: "fix the setting.")
            }
        }
    }

    /// The subject, the timeline and the verdict, for people.
    static func describe(_ trace: Trace, style: Style) -> TerminalText {
        let subject = trace.subject
        var lines: [TerminalText] = [
            style.bold(
                "\(subject.type.rawValue) \(subject.id): \(subject.provider.displayName) \(subject.purpose), "
                    + "\(subject.amountMinor) \(subject.currency) (minor units), \(subject.status)")
        ]
        let ids = [
            ("provider id", subject.providerPaymentID), ("deal", subject.dealID),
            ("appointment", subject.appointmentID),
            ("user", subject.userID),
        ]
        let known = ids.compactMap { name, value in value.map { "\(name) \($0)" } }
        if !known.isEmpty { lines.append("  " + TerminalText(known.joined(separator: ", "))) }
        for entry in trace.timeline {
            let kind = entry.kind.rawValue + String(repeating: " ", count: max(1, 10 - entry.kind.rawValue.count))
            let head: TerminalText = "  \(style.dim(entry.at))  \(kind)"
            lines.append(head + Self.paint(entry, style: style))
        }
        lines.append(style.bold("Verdict: ") + TerminalText(trace.verdict.text))
        lines.append("Next step: \(trace.verdict.next)")
        return TerminalText(lines: lines)
    }

    /// A refused webhook and a failed attempt stand out.
    private static func paint(_ entry: TraceEntry, style: Style) -> TerminalText {
        switch entry.kind {
        case .refused: style.alert(entry.text)
        case .attempt where entry.fields["error"] != .null: style.warn(entry.text)
        default: TerminalText(entry.text)
        }
    }
}
