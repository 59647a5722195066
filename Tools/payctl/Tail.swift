import ArgumentParser
import Core
import Glibc

/// `payctl tail`: webhook processing as it happens, from the database or from log lines on stdin.
struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow webhook processing live (from the database, or from JSON log lines on stdin with --logs).")

    @Option(help: "Start this far back: 45s, 30m, 2h, 1d.") var since = Window(seconds: 600)
    @Option(help: "Only this provider: stripe, yookassa, telegram.") var provider: Provider?
    @Option(help: "Only this event type, e.g. checkout.session.completed.") var type: String?
    @Option(help: "Only this deal id.") var deal: String?
    @Option(help: "Only this Checkout Session id.") var session: String?
    @Option(help: "Only this event id.") var event: String?
    @Flag(inversion: .prefixedNo, help: "Keep watching for new events.") var follow = true
    @Option(help: "Seconds between database polls.") var interval = 1.0
    @Flag(help: "Read the functions' JSON log lines from stdin instead of the database.") var logs = false
    @Flag(help: "Print JSON lines for scripts.") var json = false

    func run() throws {
        let console = Console(json: json)
        if logs { return followLogs(console) }
        let connection = try console.connect()
        let store = WebhookEventLog(connection: connection)
        let rejections = RejectionLog(connection: connection)
        let filter = WebhookEventLog.Filter(
            provider: provider, type: type, dealID: deal, sessionID: session, eventID: event)
        // Refused deliveries carry no verified ids, so filters by deal, session, type or event leave them out.
        let showRejections = type == nil && deal == nil && session == nil && event == nil
        var cursor = "0"
        var printed = 0
        var window = since.seconds
        var refusedSeen: [String: Int] = [:]
        var deliveriesSeen: [Int64: String] = [:]
        repeat {
            let records = try console.run { try store.recent(windowSeconds: window, after: cursor, filter: filter) }
            for record in records {
                console.emit(human: Self.describe(record, style: console.style), machine: record)
                cursor = record.cursor
                printed += 1
            }
            if showRejections {
                for rejection in try console.run({
                    try rejections.recent(windowSeconds: since.seconds, provider: provider)
                }) {
                    let key = "\(rejection.provider)|\(rejection.reason)|\(rejection.hour)"
                    guard refusedSeen[key] != rejection.count else { continue }
                    refusedSeen[key] = rejection.count
                    console.emit(human: Self.describe(rejection, style: console.style), machine: rejection)
                    printed += 1
                }
            }
            if let deal {
                let deliveries = try console.run {
                    try DeliveryLog(connection: connection).list(DeliveryLog.Filter(dealID: deal, limit: 1_000))
                }
                for delivery in deliveries.reversed() {
                    let state = "\(delivery.status.rawValue)|\(delivery.attempts)"
                    guard deliveriesSeen[delivery.id] != state else { continue }
                    deliveriesSeen[delivery.id] = state
                    console.emit(
                        human: "delivery " + Deliveries.describe(delivery, style: console.style), machine: delivery)
                    printed += 1
                }
            }
            // After the first look the cursor alone says what is new.
            window = Int(Int32.max)
            if follow { usleep(UInt32(interval * 1_000_000)) }
        } while follow
        if printed == 0 {
            console.note(
                "No webhook events in the last \(since.seconds)s match. Next step: `payctl summary` or `payctl stripe events`."
            )
        }
    }

    private func followLogs(_ console: Console) {
        while let text = readLine() {
            guard let line = LogLine.parse(text) else { continue }
            if let provider, line.provider != provider.rawValue { continue }
            if let type, line.event_type != type { continue }
            if let deal, line.deal_id != deal { continue }
            if let session, line.session_id != session { continue }
            if let event, line.event_id != event { continue }
            let style = console.style
            var text: TerminalText = "\(style.dim(line.time ?? "-")) \(line.function ?? "-") \(line.message ?? "")"
            if let outcome = line.outcome ?? line.step_result { text += " " + style.outcome(outcome) }
            for (name, value) in [
                ("event", line.event_id), ("type", line.event_type), ("deal", line.deal_id),
                ("session", line.session_id),
                ("pi", line.payment_intent_id), ("rejection", line.rejection), ("detail", line.detail),
                ("hint", line.hint),
            ] {
                if let value { text += " \(name)=\(value)" }
            }
            console.emit(human: text, machine: line)
        }
    }

    static func describe(_ record: WebhookEventLog.Record, style: Style) -> TerminalText {
        var text: TerminalText =
            "\(style.dim(record.updatedAt)) \(record.provider) \(record.eventType) \(record.eventKey) \(style.outcome(record.outcome))"
        for (name, value) in [
            ("deal", record.dealID), ("session", record.sessionID), ("pi", record.paymentIntentID),
            ("error", record.error),
        ] {
            if let value { text += " \(name)=\(value)" }
        }
        if record.deliveries > 1 { text += " applied=\(record.deliveries)" }
        return text
    }

    /// A counter of refused deliveries: how many this hour, and what the last one claimed.
    static func describe(_ rejection: RejectionLog.Record, style: Style) -> TerminalText {
        var text: TerminalText =
            "\(style.dim(rejection.lastSeenAt)) \(rejection.provider) refused \(style.outcome(rejection.reason))"
            + " count=\(rejection.count) hour=\(rejection.hour)"
        for (name, value) in [
            ("detail", rejection.lastDetail), ("claimed_type", rejection.lastEventType),
            ("claimed_id", rejection.lastEventID),
        ] {
            if let value { text += " \(name)=\(value)" }
        }
        return text
    }
}
