import ArgumentParser
import Core

/// `payctl purchases …`: Stars purchases.
struct Purchases: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Telegram Stars purchases.", subcommands: [MarkFailed.self])

    /// `payctl purchases mark-failed ID`: for QA and retries; writes, with its `purchase_failed` event.
    struct MarkFailed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-failed", abstract: "Move a purchase to failed and record purchase_failed (this writes).")

        @Argument(help: "The purchase id.") var purchaseID: String
        @Option(help: "Why, stored with the event.") var reason = "marked failed by an operator"
        @Flag(help: "Print JSON for scripts.") var json = false

        struct Report: Encodable {
            let purchase_id: String
            let previous_status: String
            let status: String
        }

        func run() throws {
            let console = Console(json: json)
            let connection = try console.connect()
            let purchases = PurchaseStore(connection: connection)
            let previous = try console.run {
                try connection.transaction { () throws -> PurchaseRecord.Status? in
                    guard let purchase = try purchases.lock(purchaseID) else { return nil }
                    guard purchase.status != .failed, let failed = try purchases.fail(purchaseID) else {
                        return purchase.status
                    }
                    try EventStore(connection: connection).append(
                        PurchaseEvents.failed(failed, previousStatus: purchase.status, reason: reason))
                    return purchase.status
                }
            }
            guard let previous else {
                throw console.fail(
                    .finding, "purchase \(purchaseID) not found.", next: "check the id (the invoice's payload).")
            }
            let human: TerminalText =
                previous == .failed
                ? "Purchase \(purchaseID) was already failed; nothing changed."
                : "Purchase \(purchaseID): \(previous.rawValue) → failed (purchase_failed recorded)."
                    + (previous == .succeeded
                        ? "\nIt had been paid: refund it with refundStarPayment if the money should go back."
                        : TerminalText(""))
            console.emit(
                human: human,
                machine: Report(purchase_id: purchaseID, previous_status: previous.rawValue, status: "failed"))
        }
    }
}
