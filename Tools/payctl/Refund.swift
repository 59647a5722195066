import ArgumentParser
import Core
import FoundationEssentials

/// `payctl refund PAYMENT_ID [--amount 100.00] [--reason TEXT] --yes`: money back through the
/// payment's provider, exactly once; without `--yes` it shows what it would do.
struct Refund: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Give money back through the payment's provider (writes only with --yes).",
        discussion: """
            The refund is written here first, then the provider is asked with a key derived from it: \
            running the same command again after a crash or a timeout resumes that refund and never \
            makes a second one. Partial refunds add up to at most the payment. Exit codes: 0 refunded \
            or accepted, 1 a conflict to look at, 2 refused (nothing written), 3 database, 4 provider.
            """)

    @Argument(help: "The payment's id (a UUID, as get-payment and payctl show give it).") var paymentID: String
    @Option(help: "How much, e.g. 100.00; all that is left when omitted.") var amount: String?
    @Option(help: "Why: kept with the refund and its audit line, and sent to the provider.") var reason: String?
    @Flag(help: "Do it. Without --yes nothing is written or sent.") var yes = false
    @Flag(help: "Refund this amount again although the same refund succeeded in the last 24 hours.")
    var again = false
    @Flag(help: "Print JSON for scripts.") var json = false

    /// What the command did, for scripts.
    struct Report: Encodable {
        let outcome: String
        let refund: RefundRecord?
        let amount: AmountBody
        let refundable: AmountBody
        let detail: String?
    }

    func run() throws {
        let console = Console(json: json)
        guard let id = UUID(uuidString: paymentID) else {
            throw console.fail(.configuration, "\(paymentID) is not a payment id.", next: "give the payment's UUID.")
        }
        let connection = try console.connect()
        let refunder = Refunder(connection: connection)
        let payment = try console.run { try PaymentStore(connection: connection).find(id: id) }
        guard let payment else {
            throw console.fail(.configuration, "payment \(paymentID) not found.", next: "check the id (payctl show).")
        }
        var money: Money?
        if let amount {
            money = Money(decimal: amount, currency: payment.amount.currency)
            guard money != nil else {
                throw console.fail(
                    .configuration, "\(amount) is not an amount in \(payment.amount.currency.code).",
                    next: "write it like \(payment.amount.decimalString).")
            }
        }
        let plan = try refused(console) { try refunder.plan(paymentID: id, amount: money, again: again) }
        if plan.alreadyDone, let done = plan.resuming {
            console.emit(
                human: "Already refunded: \(done.amount) at \(done.createdAt) by \(done.requestedBy ?? "an operator")"
                    + " (\(payment.provider.displayName) \(done.providerRefundID ?? "")). Nothing more was sent;"
                    + " --again refunds another \(done.amount).",
                machine: Report(
                    outcome: "already_refunded", refund: done, amount: AmountBody(done.amount),
                    refundable: AmountBody(payment.refundable), detail: nil))
            return
        }
        guard yes else {
            let verb = plan.resuming == nil ? "Would refund" : "Would resume the refund of"
            let paidTwice = try console.run { try PaymentStore(connection: connection).paidEarlier(than: id) }
            let twice = paidTwice.map {
                "Paid twice: payment \($0.uuidString.lowercased()) paid this booking first; this one is to go back."
            }
            console.emit(
                human: TerminalText(twice.map { $0 + " " } ?? "")
                    + "\(verb) \(plan.amount) of payment \(paymentID) through \(payment.provider.displayName)"
                    + " (\(plan.refundable) refundable). Run again with --yes to do it.",
                machine: Report(
                    outcome: "planned", refund: plan.resuming, amount: AmountBody(plan.amount),
                    refundable: AmountBody(plan.refundable), detail: twice))
            return
        }
        let gateway = try Self.gateway(for: payment.provider, console: console)
        let operatorName = console.operatorName
        let (refund, current) = try refused(console) {
            try refunder.start(
                paymentID: id, amount: money, again: again, reason: reason, operatorName: operatorName)
        }
        let outcome = try console.run {
            try refunder.submit(
                refund, of: current, gateway: gateway, operatorName: operatorName, logger: console.logger)
        }
        try report(outcome, plan: plan, console: console)
    }

    private func report(_ outcome: Refunder.Outcome, plan: Refunder.Plan, console: Console) throws {
        let provider = plan.payment.provider.displayName
        let emit = { (refund: RefundRecord, human: TerminalText, detail: String?) in
            console.emit(
                human: human,
                machine: Report(
                    outcome: outcome.name, refund: refund, amount: AmountBody(refund.amount),
                    refundable: AmountBody(plan.refundable), detail: detail))
        }
        switch outcome {
        case .succeeded(let refund, let full):
            emit(
                refund,
                "Refunded \(refund.amount) of payment \(paymentID) (\(provider) \(refund.providerRefundID ?? "")); "
                    + (full ? "the payment is now refunded in full." : "it stays succeeded, refunded in part."),
                nil)
        case .pending(let refund):
            emit(
                refund,
                "\(provider) accepted the refund of \(refund.amount) (\(refund.providerRefundID ?? "")) and has not "
                    + "finished it; its notification completes it. Run the same command to check on it.",
                nil)
        case .failed(let refund, let reason, let permission):
            emit(refund, "Refund \(refund.id.uuidString.lowercased()) failed; nothing was given back.", reason)
            throw console.fail(
                .provider, "\(provider) refused the refund: \(reason).",
                next: permission.map { "give STRIPE_API_KEY the permission \($0), then refund again." }
                    .map(TerminalText.init) ?? "fix what the provider names, then refund again.")
        case .interrupted(let refund, let reason):
            emit(refund, "Refund \(refund.id.uuidString.lowercased()) is pending: \(provider) did not answer.", reason)
            throw console.fail(
                .provider, "no answer from \(provider): \(reason).",
                next: "run the same command again: it resumes this refund and never makes a second one.")
        case .conflict(let refund, let reason):
            emit(refund, "Refund \(refund.id.uuidString.lowercased()) needs a look.", reason)
            throw console.fail(
                .finding, "\(reason).", next: "compare with the \(provider) dashboard (payctl show \(paymentID)).")
        }
    }

    /// Runs a refunder step, turning its refusals into exit 2 with what is possible instead.
    private func refused<T>(_ console: Console, _ body: () throws -> T) throws -> T {
        do {
            return try console.run(body)
        } catch let refusal as Refunder.Refusal {
            switch refusal {
            case .paymentNotFound:
                throw console.fail(.configuration, "payment \(paymentID) not found.", next: "check the id.")
            case .notPaid(let status):
                throw console.fail(
                    .configuration, "payment \(paymentID) is \(status.rawValue): only a paid payment is refunded.",
                    next: "nothing to give back.")
            case .exceeds(let refundable):
                throw console.fail(
                    .configuration, "that is more than is left: \(refundable) is refundable.",
                    next: "refund at most \(refundable.decimalString) (--amount), or nothing.")
            case .invalidAmount:
                throw console.fail(.configuration, "the amount must be above zero.", next: "give a positive --amount.")
            case .anotherInProgress(let open):
                throw console.fail(
                    .configuration,
                    "refund \(open.id.uuidString.lowercased()) of \(open.amount) is still in progress for this payment.",
                    next: "run again with --amount \(open.amount.decimalString) (or without --amount) to resume it.")
            }
        }
    }

    /// The provider's API client, from the environment.
    private static func gateway(for provider: Provider, console: Console) throws -> any RefundGateway {
        let gateway: (any RefundGateway)?
        do {
            gateway = try ProviderTable.refundGateway(provider, config: console.config)
        } catch let error as ConfigError {
            throw console.fail(
                .configuration, "\(error.variable) \(error.problem).",
                next: "set it to refund through \(provider.displayName).")
        }
        guard let gateway else {
            throw console.fail(.configuration, "Stars are refunded by charge.", next: "payctl stars refund CHARGE_ID.")
        }
        return gateway
    }
}
