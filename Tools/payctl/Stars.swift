import ArgumentParser
import Core

/// `payctl stars …`: Telegram Stars charges that must go back, and giving them back.
struct StarsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stars", abstract: "Telegram Stars refunds.", subcommands: [RefundsDue.self, Refund.self])

    /// `payctl stars refunds-due`.
    struct RefundsDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refunds-due",
            abstract: "List charges flagged for refund (paid twice, or for no purchase) and not refunded yet.")

        @Flag(help: "Print JSON lines for scripts.") var json = false

        func run() throws {
            let console = Console(json: json)
            let due = try console.run { try StarsRefunder(connection: try console.connect()).due() }
            for charge in due {
                console.emit(human: StarsCommand.describe(charge, style: console.style), machine: charge)
            }
            if due.isEmpty { console.note("No Stars charges are due for refund.") }
        }
    }

    /// `payctl stars refund CHARGE_ID --yes` or `payctl stars refund --all-due --yes`.
    struct Refund: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a charge's Stars back with refundStarPayment (writes only with --yes).",
            discussion: """
                Telegram refuses to refund one charge twice, so running it again after a crash or a \
                timeout is safe. A purchase whose own charge is refunded becomes refunded, with \
                purchase_refunded. Exit codes: 0 refunded, 2 refused, 3 database, 4 Telegram.
                """)

        @Argument(help: "The charge's telegram_payment_charge_id.") var chargeID: String?
        @Flag(help: "Every charge `payctl stars refunds-due` lists.") var allDue = false
        @Flag(help: "Do it. Without --yes nothing is sent.") var yes = false
        @Flag(help: "Print JSON lines for scripts.") var json = false

        /// One charge's result, for scripts.
        struct Report: Encodable {
            let outcome: String
            let charge: ChargeRecord
            let purchase_status: String?
            let detail: String?
        }

        func validate() throws {
            guard (chargeID != nil) != allDue else { throw ValidationError("Give a charge id, or --all-due.") }
        }

        func run() throws {
            let console = Console(json: json)
            let refunder = StarsRefunder(connection: try console.connect())
            let charges: [ChargeRecord]
            do {
                charges = try console.run {
                    try allDue ? refunder.due() : [refunder.charge(chargeID ?? "")]
                }
            } catch StarsRefunder.Refusal.unknownCharge {
                throw console.fail(
                    .configuration, "no charge \(chargeID ?? "") is recorded.",
                    next: "`payctl stars refunds-due` lists the charges to refund.")
            }
            guard yes else {
                for charge in charges {
                    console.emit(
                        human: "Would refund: " + StarsCommand.describe(charge, style: console.style),
                        machine: Report(outcome: "planned", charge: charge, purchase_status: nil, detail: nil))
                }
                if charges.isEmpty { console.note("Nothing to refund.") }
                console.note("Run again with --yes to refund.")
                return
            }
            let telegram: TelegramClient
            do {
                telegram = try TelegramClient(config: console.config)
            } catch let error as ConfigError {
                throw console.fail(
                    .configuration, "\(error.variable) \(error.problem).", next: "set it to refund through Telegram.")
            }
            var worst: ExitStatus?
            for charge in charges {
                let outcome: StarsRefunder.Outcome
                do {
                    outcome = try console.run {
                        try refunder.refund(
                            chargeID: charge.chargeID, telegram: telegram, operatorName: console.operatorName,
                            logger: console.logger)
                    }
                } catch StarsRefunder.Refusal.unknownBuyer(let charge) {
                    console.note("charge \(charge.chargeID) names no buyer: refund it from the bot by hand.")
                    worst = worst ?? .configuration
                    continue
                }
                worst = report(outcome, console: console) ?? worst
            }
            if let worst { throw ExitCode(worst.rawValue) }
        }

        /// Prints one outcome; returns the exit status it calls for, if not success.
        private func report(_ outcome: StarsRefunder.Outcome, console: Console) -> ExitStatus? {
            switch outcome {
            case .refunded(let charge, let purchase):
                console.emit(
                    human: "Refunded \(charge.amount) to user \(charge.userID) (charge \(charge.chargeID))"
                        + (purchase.map { "; purchase \($0.id) is now refunded." } ?? "."),
                    machine: Report(
                        outcome: "refunded", charge: charge, purchase_status: purchase?.status.rawValue, detail: nil))
                return nil
            case .alreadyRefunded(let charge):
                console.emit(
                    human: "Charge \(charge.chargeID) was refunded at \(charge.refundedAt ?? "?"); nothing was sent.",
                    machine: Report(outcome: "already_refunded", charge: charge, purchase_status: nil, detail: nil))
                return nil
            case .failed(let charge, let reason):
                console.emit(
                    human: "Telegram refused to refund charge \(charge.chargeID): \(reason).",
                    machine: Report(outcome: "failed", charge: charge, purchase_status: nil, detail: reason))
                return .provider
            case .interrupted(let charge, let reason):
                console.emit(
                    human:
                        "No answer from Telegram for charge \(charge.chargeID) (\(reason)): run the same command again.",
                    machine: Report(outcome: "interrupted", charge: charge, purchase_status: nil, detail: reason))
                return .provider
            }
        }
    }

    /// One line for a charge: id, buyer, Stars, purchase, why it is due.
    static func describe(_ charge: ChargeRecord, style: Style) -> TerminalText {
        "\(charge.chargeID) user \(charge.userID) \(charge.amount.minorUnits) XTR purchase \(charge.purchaseID)"
            + " \(style.dim("\(charge.reason ?? "") \(charge.createdAt)"))"
    }
}
