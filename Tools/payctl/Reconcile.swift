import ArgumentParser
import Core

/// `payctl reconcile --since 24h [--provider P] [--apply]`: what each provider holds against what
/// was recorded, each difference named; with `--apply`, missed changes are brought in.
struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the providers' own records with what was recorded here (writes only with --apply).",
        discussion: """
            YooKassa: payments and refunds listed by created_at. Stripe: the events that change a \
            payment, by created. Telegram: the bot's Stars transactions. Codes: missed_success, \
            missed_cancellation, missed_refund (applied with --apply, through the use case their \
            webhook runs, recorded with verification reconcile), amount_mismatch, \
            unknown_to_provider, ahead_locally (for an operator). Exit 0 when nothing stands, 1 when \
            differences do, 2 configuration, 3 database, 4 a provider could not be read.
            """)

    @Option(help: "How far back: 30m, 24h, 3d.") var since: Window = Window(seconds: 86_400)
    @Option(help: "Only this provider: yookassa, stripe or telegram (default: every configured one).")
    var provider: Provider?
    @Flag(help: "Apply the missed changes (a payment's success or cancellation, a refund).") var apply = false
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        let console = Console(json: json)
        _ = try console.connect()
        let report: Reconciler.Report
        do {
            let context = FunctionContext(
                name: "payctl", config: console.config, logger: console.logger, longLived: false)
            let reconciler = try Reconciler(providers: provider.map { [$0] }, context: context)
            report = try console.run {
                try reconciler.run(seconds: since.seconds, apply: apply, logger: console.logger)
            }
        } catch let error as ConfigError {
            throw console.fail(
                .configuration, "\(error.variable) \(error.problem).",
                next: "set the provider's credentials, or choose another with --provider.")
        }
        if json {
            console.emit(human: "", machine: report)
        } else {
            for difference in report.differences {
                var line: TerminalText =
                    "\(console.style.bold(TerminalText(difference.kind.rawValue))) \(difference.provider.rawValue)"
                    + " \(difference.providerID) local \(difference.localID ?? "none"): \(difference.detail)"
                if let applied = difference.applied { line += " → applied: \(console.style.outcome(applied.rawValue))" }
                console.emit(human: line, machine: difference)
            }
            let providers = report.providers.map(\.rawValue).joined(separator: ", ")
            console.note(
                "\(report.differences.count) difference(s) since \(report.since) (\(providers.isEmpty ? "no provider configured" : providers)); \(report.unresolved) left standing."
            )
        }
        for failure in report.failures {
            console.note("\(failure.provider.displayName) could not be read: \(failure.reason).")
        }
        if let failure = report.failures.first {
            throw console.fail(
                .provider,
                "\(report.failures.count) provider(s) could not be read (\(failure.provider.displayName) first).",
                next: "check their credentials and reachability, then run again; the others were compared.")
        }
        if report.unresolved > 0 { throw ExitCode(ExitStatus.finding.rawValue) }
    }
}
