import ArgumentParser
import Core

/// `payctl summary`: what happened to webhooks lately, what went wrong, and what to do next.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counts by type and outcome, failures, deals with problems and next steps.",
        discussion: "Reads the database (--since), or the last N JSON log lines on stdin (--lines N). "
            + "Exits 0 when all is well, 1 when there are problems or no events at all.")

    @Option(help: "How far back to look in the database: 45s, 30m, 2h, 1d.") var since = Window(seconds: 1_800)
    @Option(help: "Summarise the last N JSON log lines from stdin instead.") var lines: Int?
    @Option(help: "Only this provider: stripe, yookassa, telegram.") var provider: Provider?
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        let console = Console(json: json)
        let report: SummaryReport
        if let lines {
            report = SummaryReport(
                logLines: LogLine.readStandardInput(last: lines).filter {
                    provider == nil || $0.provider == provider?.rawValue
                },
                source: "last \(lines) log lines", provider: provider)
        } else {
            let connection = try console.connect()
            let (records, rejections) = try console.run {
                (
                    try WebhookEventLog(connection: connection).recent(
                        windowSeconds: since.seconds,
                        filter: WebhookEventLog.Filter(provider: provider), limit: 1_000_000),
                    try RejectionLog(connection: connection).recent(
                        windowSeconds: since.seconds, provider: provider)
                )
            }
            var fromDatabase = SummaryReport(
                records: records, rejections: rejections, source: "database, last \(since.seconds)s", provider: provider
            )
            fromDatabase.include(
                sinks: try console.run {
                    try DeliveryLog(connection: connection).counts(windowSeconds: since.seconds)
                })
            report = fromDatabase
        }
        console.emit(human: report.human(style: console.style), machine: report)
        if !report.healthy { throw ExitCode(ExitStatus.finding.rawValue) }
    }
}

/// The numbers behind `payctl summary`, from database rows or log lines.
struct SummaryReport: Encodable {
    struct Count: Encodable {
        let provider: String
        let type: String
        let outcome: String
        let count: Int
    }
    /// Deliveries refused before verification, by provider and reason.
    struct Rejection: Encodable {
        let provider: String
        let reason: String
        let count: Int
        let lastDetail: String?
    }
    struct DealProblem: Encodable {
        let deal: String
        let outcomes: [String]
        let events: [String]
    }

    let source: String
    /// The provider the report is narrowed to, if any: the next steps are that provider's.
    let provider: Provider?
    var counts: [Count] = []
    var rejections: [Rejection] = []
    var total = 0
    var signatureFailures = 0
    var cabinetIgnored = 0
    /// Repeats answered as duplicates: counted from log lines; the database keeps none (a duplicate writes nothing).
    var duplicates: Int?
    var errors = 0
    var dealIdMissing = 0
    var dealsWithProblems: [DealProblem] = []
    /// Deliveries of domain events to the sinks, per sink (database only).
    var sinks: [DeliveryLog.SinkCounts] = []
    var nextSteps: [String] = []

    var healthy: Bool {
        total > 0 && errors == 0 && signatureFailures == 0 && dealIdMissing == 0 && dealsWithProblems.isEmpty
            && sinks.allSatisfy { $0.dead == 0 }
    }

    /// Adds the sinks' counts and their next steps.
    mutating func include(sinks: [DeliveryLog.SinkCounts]) {
        self.sinks = sinks
        for sink in sinks {
            let name = sink.sink
            let waited = sink.oldestUndeliveredSeconds ?? 0
            if sink.dead > 0 {
                nextSteps.append(
                    "\(sink.dead) dead delivery(ies) to \(name): `payctl deliveries --sink \(name) --status dead` shows the last answers; once the receiver is fixed, `payctl deliveries retry --sink \(name)`."
                )
            }
            if sink.retrying > 0 {
                nextSteps.append(
                    "\(sink.retrying) delivery(ies) to \(name) are being retried (oldest waiting \(waited)s): `payctl deliveries --sink \(name) --status retrying`."
                )
            } else if sink.pending > 0 && waited > 300 {
                nextSteps.append(
                    "\(sink.pending) delivery(ies) to \(name) wait since \(waited)s without an attempt: is events-relay running (its schedule, or `events-relay --follow`)?"
                )
            }
        }
    }

    init(
        records: [WebhookEventLog.Record], rejections: [RejectionLog.Record], source: String,
        provider: Provider?
    ) {
        self.source = source
        self.provider = provider
        var tally = Tally()
        var refused: [String: Rejection] = [:]
        for rejection in rejections {
            let key = "\(rejection.provider)|\(rejection.reason)"
            refused[key] = Rejection(
                provider: rejection.provider, reason: rejection.reason,
                count: (refused[key]?.count ?? 0) + rejection.count, lastDetail: rejection.lastDetail)
        }
        self.rejections = refused.keys.sorted().compactMap { refused[$0] }
        signatureFailures = self.rejections.reduce(0) { $0 + $1.count }
        for record in records {
            tally.count(record.provider, record.eventType, record.outcome)
            tallyOutcome(record.outcome)
            if let deal = record.dealID { tally.problem(deal: deal, outcome: record.outcome, event: record.eventKey) }
        }
        total = records.count + signatureFailures
        conclude(tally)
    }

    init(logLines: [LogLine], source: String, provider: Provider?) {
        self.source = source
        self.provider = provider
        var tally = Tally()
        duplicates = 0
        for line in logLines {
            if line.isRejection { signatureFailures += 1 }
            guard line.endsDelivery, let outcome = line.outcome else { continue }
            total += 1
            tally.count(line.provider ?? "-", line.event_type ?? "-", outcome)
            if outcome == WebhookOutcome.duplicate.rawValue { duplicates? += 1 }
            tallyOutcome(outcome)
            if let deal = line.deal_id, deal != "missing" {
                tally.problem(deal: deal, outcome: outcome, event: line.event_id ?? "-")
            }
        }
        total += signatureFailures
        conclude(tally)
    }

    /// Counts by provider, type and outcome, and the deals whose events need attention.
    private struct Tally {
        var counts: [String: Count] = [:]
        var problems: [String: DealProblem] = [:]

        mutating func count(_ provider: String, _ type: String, _ outcome: String) {
            let key = "\(provider)|\(type)|\(outcome)"
            let previous = counts[key]?.count ?? 0
            counts[key] = Count(provider: provider, type: type, outcome: outcome, count: previous + 1)
        }

        mutating func problem(deal: String, outcome: String, event: String) {
            guard WebhookOutcome(rawValue: outcome).severity != .fine else { return }
            let known = problems[deal] ?? DealProblem(deal: deal, outcomes: [], events: [])
            problems[deal] = DealProblem(
                deal: deal, outcomes: known.outcomes + [outcome], events: known.events + [event])
        }
    }

    private mutating func conclude(_ tally: Tally) {
        counts = tally.counts.values.sorted { ($0.provider, $0.type, $0.outcome) < ($1.provider, $1.type, $1.outcome) }
        dealsWithProblems = tally.problems.keys.sorted().compactMap { tally.problems[$0] }
        nextSteps = steps()
    }

    private mutating func tallyOutcome(_ text: String) {
        let outcome = WebhookOutcome(rawValue: text)
        switch outcome {
        case .cabinetIgnored: cabinetIgnored += 1
        case .dealIDMissing: dealIdMissing += 1
        case _ where outcome.severity == .problem: errors += 1
        default: break
        }
    }

    private func steps() -> [String] {
        var steps: [String] = []
        if total == 0 {
            return (provider.map { [$0] } ?? Provider.allCases).flatMap(ProviderTable.whereToLookWhenNothingArrived)
        }
        for rejection in rejections {
            steps.append("\(rejection.count) \(rejection.provider) \(Self.hint(rejection.reason))")
        }
        if signatureFailures > 0, rejections.isEmpty {
            steps.append("\(signatureFailures) \(Self.hint(WebhookRejectionStore.Reason.signatureFailed.rawValue))")
        }
        if cabinetIgnored > 0 {
            steps.append(
                "\(cabinetIgnored) event(s) from another account or mode: check STRIPE_EXPECTED_LIVEMODE / STRIPE_EXPECTED_ACCOUNT against the endpoint's account."
            )
        }
        if dealIdMissing > 0 {
            steps.append(
                "\(dealIdMissing) event(s) without deal_id: set metadata.deal_id on the Checkout Session and payment_intent_data.metadata.deal_id."
            )
        }
        if errors > 0 {
            steps.append("\(errors) event(s) failed: `payctl show EVENT_ID` tells each one's steps and error.")
        }
        for problem in dealsWithProblems.prefix(5) {
            steps.append(
                "Deal \(problem.deal): \(problem.outcomes.joined(separator: ", ")) — `payctl tail --deal \(problem.deal) --no-follow`."
            )
        }
        return steps
    }

    /// What to check for deliveries refused for `reason`.
    private static func hint(_ reason: String) -> String {
        switch WebhookRejectionStore.Reason(rawValue: reason) {
        case .signatureFailed:
            "signature failure(s): check STRIPE_WEBHOOK_SECRET is this endpoint's signing secret in the same mode, and that no proxy rewrites the body (`payctl tail --provider stripe`)."
        case .invalidSecretToken:
            "update(s) with a missing or wrong secret token: check TELEGRAM_WEBHOOK_SECRET is the secret_token given to setWebhook."
        case .untrustedSource:
            "notification(s) from untrusted addresses: behind a proxy, set TRUSTED_PROXIES to its addresses; check YOOKASSA_TRUSTED_NETWORKS."
        case nil:
            "delivery(ies) refused (\(reason))."
        }
    }

    func human(style: Style) -> TerminalText {
        var lines: [TerminalText] = [
            style.bold(total == 0 ? "webhook events not found" : "Webhook events (\(source)): \(total)")
        ]
        for count in counts {
            lines.append("  \(count.provider)  \(count.type)  \(style.outcome(count.outcome))  \(count.count)")
        }
        if total > 0 {
            lines.append(
                "Signature failures: \(signatureFailures)   Events cabinet ignored: \(cabinetIgnored)   Duplicate deliveries: \(duplicates.map(String.init) ?? "in the log (--lines)")   Errors: \(errors)   Missing deal_id: \(dealIdMissing)"
            )
        }
        for rejection in rejections {
            lines.append(
                "  \(rejection.provider)  refused: \(style.outcome(rejection.reason))  \(rejection.count)"
                    + (rejection.lastDetail.map { TerminalText("  (last: \($0))") } ?? ""))
        }
        if !dealsWithProblems.isEmpty {
            lines.append("Deals with problems:")
            for problem in dealsWithProblems {
                lines.append(
                    "  \(problem.deal): \(problem.outcomes.joined(separator: ", ")) (\(problem.events.joined(separator: ", ")))"
                )
            }
        }
        if !sinks.isEmpty {
            lines.append(style.bold("Deliveries to sinks:"))
            for sink in sinks {
                let waited = sink.oldestUndeliveredSeconds.map { TerminalText("  oldest undelivered \($0)s") } ?? ""
                lines.append(
                    "  \(sink.sink)  \(style.delivery(.delivered)) \(sink.delivered)  \(style.delivery(.pending)) \(sink.pending)  "
                        + "\(style.delivery(.retrying)) \(sink.retrying)  \(style.delivery(.dead)) \(sink.dead)\(waited)"
                )
            }
        }
        if !nextSteps.isEmpty {
            lines.append("Next steps:")
            for step in nextSteps { lines.append("  - \(step)") }
        }
        return TerminalText(lines: lines)
    }
}
