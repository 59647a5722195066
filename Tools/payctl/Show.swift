import ArgumentParser
import Core

/// `payctl show EVENT_ID`: one event's whole processing story.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one webhook event: its steps, outcome, error and the automation events it caused.")

    @Argument(help: "The provider's event id (evt_…, event:object id) or the row id.") var eventID: String
    @Flag(help: "Print JSON for scripts.") var json = false

    struct Story: Encodable {
        let event: WebhookEventLog.Record
        let automationEvents: [DomainEventLog.Stored]
        /// Each automation event's deliveries to the sinks.
        let deliveries: [DeliveryRecord]
    }

    func run() throws {
        let console = Console(json: json)
        let connection = try console.connect()
        guard let record = try console.run({ try WebhookEventLog(connection: connection).find(eventID) }) else {
            throw console.fail(
                .finding, "webhook event \(eventID) not found.",
                next:
                    "check the id with `payctl tail --no-follow --since 1d`; if Stripe sent it, `payctl stripe events` lists it."
            )
        }
        let caused = try console.run {
            try DomainEventLog(connection: connection).caused(
                byProviderEvent: record.eventKey, providerObject: record.paymentIntentID ?? record.objectID)
        }
        let deliveries = try console.run {
            try DeliveryLog(connection: connection).list(
                DeliveryLog.Filter(eventIDs: caused.map(\.id), limit: 1_000))
        }
        let style = console.style
        var lines: [TerminalText] = [style.bold("\(record.provider) \(record.eventType) \(record.eventKey)")]
        let amount = record.amountMinor.flatMap { minor in
            record.currency.map { TerminalText("\(minor) \($0) (minor units)") }
        }
        let fields: [(String, TerminalText?)] = [
            ("outcome", style.outcome(record.outcome) + (record.error.map { " — \($0)" } ?? "")),
            ("received", "\(record.receivedAt) (applied \(record.deliveries)×, last change \(record.updatedAt))"),
            ("verification", TerminalText(record.verification)), ("object", record.objectID.map(TerminalText.init)),
            ("status", record.objectStatus.map(TerminalText.init)), ("amount", amount),
            ("deal", record.dealID.map(TerminalText.init)),
            ("session", record.sessionID.map(TerminalText.init)),
            ("payment intent", record.paymentIntentID.map(TerminalText.init)),
        ]
        for (name, value) in fields {
            if let value { lines.append("  \(name.padding(16))\(value)") }
        }
        lines.append("Steps:")
        if case .array(let steps) = record.steps {
            for step in steps {
                let name = step["step"]?.stringValue ?? "?"
                let outcome = step["outcome"]?.stringValue ?? ""
                lines.append(
                    "  - \(name) \(style.outcome(outcome))" + (step["detail"]?.stringValue.map { ": \($0)" } ?? ""))
            }
        }
        lines.append(caused.isEmpty ? "Automation events: none" : "Automation events:")
        for event in caused {
            lines.append("  - \(event.type) \(style.dim(event.createdAt))")
            let own = deliveries.filter { $0.eventID == event.id }.sorted { $0.sink < $1.sink }
            if own.isEmpty { lines.append("      no deliveries (no sink wants it, or the relay has not run yet)") }
            for delivery in own { lines.append("      → " + Deliveries.describe(delivery, style: style)) }
        }
        console.emit(
            human: TerminalText(lines: lines),
            machine: Story(event: record, automationEvents: caused, deliveries: deliveries))
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
