import Base
import Domain
import Providers

/// The one line that answers "why" about a payment or purchase, and the next step as a command.
/// The first that applies wins: money to give back, a sink that stopped, a delivery given up,
/// a refund that failed or waits, a delivery still on its way, a webhook not applied, a payment
/// the provider settled and we did not hear of (with `--provider`), still open, or all well.
package struct TraceVerdict: Sendable, Encodable {
    package let text: String
    package let next: String

    init(text: String, next: String) {
        self.text = text
        self.next = next
    }

    init(_ facts: TraceFacts) {
        let subject = facts.subject
        let open = facts.deliveries.filter(\.status.isOpen)
        if let first = subject.paidTwiceAfter, subject.isPaid {
            self.init(
                text:
                    "paid twice: payment \(first) paid booking \(subject.appointmentID ?? "?") first; this one is to go back",
                next: "payctl refund \(subject.id) --yes")
        } else if let stopped = open.first(where: { facts.sinkStates[$0.sink] != nil }),
            let (state, reason) = facts.sinkStates[stopped.sink]
        {
            self.init(
                text: "\(Self.listener(stopped.sink, facts)) has not heard of it: sink `\(stopped.sink)` is "
                    + "\(state.rawValue)\(reason.map { " (\($0))" } ?? ""); \(stopped.eventType) waits in delivery #\(stopped.id)",
                next: "payctl sinks resume \(stopped.sink)")
        } else if let dead = facts.deliveries.first(where: { $0.status == .dead }) {
            self.init(dead: dead, facts)
        } else if let refund = facts.refunds.last(where: { $0.status == "failed" }),
            !facts.refunds.contains(where: { $0.status == "succeeded" && $0.createdAt > refund.createdAt })
        {
            self.init(
                text: "the refund of \(subject.amount(refund.amountMinor)) failed at \(subject.provider.displayName)"
                    + (refund.error.map { ": \($0)" } ?? ""),
                next: "payctl refund \(subject.id) --yes, once the reason is dealt with")
        } else if let refund = facts.refunds.first(where: { $0.status == "pending" }) {
            self.init(
                text:
                    "a refund of \(subject.amount(refund.amountMinor)) waits for \(subject.provider.displayName) since \(refund.createdAt)",
                next: "payctl refund \(subject.id) --yes asks the provider again")
        } else if let due = subject.type == .purchase
            ? facts.charges.first(where: { $0.refundDue && $0.refundedAt == nil }) : nil
        {
            self.init(
                text: "Stars charge \(due.id) is to go back (\(due.reason ?? "flagged")) and is not refunded",
                next: "payctl stars refund \(due.id) --yes")
        } else if let waiting = open.first {
            let last = facts.attempts.last { $0.deliveryID == waiting.id }
            self.init(
                text:
                    "\(Self.listener(waiting.sink, facts)) has not taken \(waiting.eventType) yet: delivery #\(waiting.id) "
                    + (last.map { "failed \(waiting.attempts) attempt(s), last \($0.error ?? "?")" }
                        ?? "not attempted yet")
                    + (waiting.nextAttemptAt.map { "; next attempt at \($0)" } ?? ""),
                next: last == nil
                    ? "is events-relay running? payctl check"
                    : "wait for the relay, or payctl deliveries retry \(waiting.id)")
        } else if let refused = facts.webhooks.last(where: { WebhookOutcome(rawValue: $0.outcome).severity == .problem }
        ),
            subject.isOpen || refused.receivedAt >= subject.updatedAt
        {
            self.init(
                text: "\(refused.provider) \(refused.eventType) was not applied: \(refused.outcome)"
                    + (refused.error.map { " (\($0))" } ?? ""),
                next: "payctl show \(refused.eventKey)")
        } else if let holding = facts.holding, let verdict = Self.disagreement(subject, holding) {
            self = verdict
        } else if subject.isOpen {
            self.init(
                text:
                    "\(subject.provider.displayName) has not settled it: \(subject.status) since \(subject.createdAt), no notification applied",
                next: facts.holding == nil
                    ? "payctl trace \(subject.id) --provider"
                    : "wait: the buyer has not paid, or the provider has not decided")
        } else {
            let delivered = facts.deliveries.count
            let standing =
                subject.status == PaymentStatus.refunded.rawValue
                ? "refunded in full (\(subject.amount(subject.refundedMinor)))"
                : subject.status
                    + (subject.refundedMinor > 0 ? ", partially refunded \(subject.amount(subject.refundedMinor))" : "")
            self.init(
                text: delivered == 0
                    ? "\(standing); no sink wants its events"
                    : "\(standing); delivered everywhere: \(facts.events.count) event(s), \(delivered) delivery(ies), all delivered",
                next: "nothing to do")
        }
    }

    /// A dead delivery: who never heard, and why, from its last attempt.
    private init(dead: DeliveryRecord, _ facts: TraceFacts) {
        let error = dead.lastError ?? "?"
        if error.hasPrefix(SinkAnswer.noRecipient) {
            let who: String
            switch facts.events.first(where: { $0.id == dead.eventID })?.payload[TelegramUser.payloadKey] {
            case .int(let user): who = "user \(user)"
            default: who = "the buyer"
            }
            self.init(
                text: "the buyer was never notified: Telegram sink `\(dead.sink)` found no chat for \(who) (\(error))",
                next: "ask the buyer to start the bot, then payctl deliveries retry \(dead.id)")
            return
        }
        self.init(
            text: "\(Self.listener(dead.sink, facts)) has not heard of it: delivery #\(dead.id) of \(dead.eventType) "
                + "to `\(dead.sink)` dead after \(dead.attempts) attempt(s), last "
                + (dead.lastStatusCode.map { "HTTP \($0)" } ?? error),
            next: "fix the receiver, then payctl deliveries retry \(dead.id)")
    }

    /// Who a sink stands for in a sentence: "the CRM" for `crm`, else "sink `name`".
    private static func listener(_ sink: String, _ facts: TraceFacts) -> String {
        switch sink.lowercased() {
        case "crm": "the CRM"
        case "users", "user-service": "the user service"
        case "buyer": "the buyer"
        default: "sink `\(sink)`"
        }
    }

    /// Where the provider's record and ours part: money taken there and not here (a notification
    /// that never came), taken here and not there, or refunds counted differently.
    private static func disagreement(_ subject: TraceSubject, _ holding: ProviderHolding) -> TraceVerdict? {
        let name = subject.provider.displayName
        if holding.paid == true, subject.isOpen {
            return TraceVerdict(
                text: "the notification never came: \(name) says the money was taken, here it is \(subject.status)",
                next: "payctl reconcile --provider \(subject.provider.rawValue) --since 7d --apply")
        }
        if holding.paid == false, subject.isPaid || subject.status == PaymentStatus.refunded.rawValue {
            return TraceVerdict(
                text: "\(name) does not say the money was taken, here it is \(subject.status)",
                next:
                    "check the payment in the \(name) dashboard; payctl reconcile --provider \(subject.provider.rawValue) --since 7d"
            )
        }
        if holding.refundedMinor != subject.refundedMinor, holding.paid != nil {
            return TraceVerdict(
                text:
                    "\(name) counts \(subject.amount(holding.refundedMinor)) refunded, here \(subject.amount(subject.refundedMinor))",
                next: "payctl reconcile --provider \(subject.provider.rawValue) --since 7d --apply")
        }
        return nil
    }
}
