import Base
import Domain
import Glibc
import Providers

/// The one line that answers "why" about a payment or purchase, and the next step as a command.
/// The first that applies wins: money to give back (paid twice, a refund failed or waiting, a
/// Stars charge due), a sink that stopped, a delivery given up, a delivery still on its way, a
/// webhook not applied, a payment the provider settled and we did not hear of (with
/// `--provider`), still open, events the relay has not taken up, or all well.
package struct TraceVerdict: Sendable, Encodable {
    package let text: String
    package let next: String

    init(text: String, next: String) {
        self.text = text
        self.next = next
    }

    init(_ facts: TraceFacts) {
        let rules: [(TraceFacts) -> TraceVerdict?] = [
            Self.paidTwice, Self.refundFailed, Self.refundWaiting, Self.starsRefundDue, Self.sinkStopped,
            Self.deliveryDead, Self.deliveryOpen, Self.webhookRefused, Self.providerDisagrees, Self.stillOpen,
            Self.notFannedOut,
        ]
        self = rules.lazy.compactMap { $0(facts) }.first ?? Self.allWell(facts)
    }

    private static func paidTwice(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        guard let first = subject.paidTwiceAfter, subject.isPaid else { return nil }
        return TraceVerdict(
            text:
                "paid twice: payment \(first) paid booking \(subject.appointmentID ?? "?") first; this one is to go back",
            next: "payctl refund \(subject.id) --yes")
    }

    private static func refundFailed(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        guard let refund = facts.refunds.last(where: { $0.status == "failed" }),
            !facts.refunds.contains(where: { $0.status == "succeeded" && $0.createdAt > refund.createdAt })
        else { return nil }
        return TraceVerdict(
            text: "the refund of \(subject.amount(refund.amountMinor)) failed at \(subject.provider.displayName)"
                + (refund.error.map { ": \($0)" } ?? ""),
            next: "payctl refund \(subject.id) --yes, once the reason is dealt with")
    }

    private static func refundWaiting(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        guard let refund = facts.refunds.first(where: { $0.status == "pending" }) else { return nil }
        return TraceVerdict(
            text:
                "a refund of \(subject.amount(refund.amountMinor)) waits for \(subject.provider.displayName) since \(refund.createdAt)",
            next: "payctl refund \(subject.id) --yes asks the provider again")
    }

    private static func starsRefundDue(_ facts: TraceFacts) -> TraceVerdict? {
        guard let due = facts.charges.first(where: { $0.refundDue && $0.refundedAt == nil }) else { return nil }
        return TraceVerdict(
            text: "Stars charge \(due.id) is to go back (\(due.reason ?? "flagged")) and is not refunded",
            next: "payctl stars refund \(due.id) --yes")
    }

    private static func sinkStopped(_ facts: TraceFacts) -> TraceVerdict? {
        guard let stopped = facts.deliveries.first(where: { $0.status.isOpen && facts.sinkStates[$0.sink] != nil }),
            let (state, reason) = facts.sinkStates[stopped.sink]
        else { return nil }
        return TraceVerdict(
            text: "\(listener(stopped.sink)) has not heard of it: sink `\(stopped.sink)` is "
                + "\(state.rawValue)\(reason.map { " (\($0))" } ?? ""); \(stopped.eventType) waits in delivery #\(stopped.id)",
            next: "payctl sinks resume \(stopped.sink)")
    }

    /// A dead delivery: who never heard, and why, from its last attempt.
    private static func deliveryDead(_ facts: TraceFacts) -> TraceVerdict? {
        guard let dead = facts.deliveries.first(where: { $0.status == .dead }) else { return nil }
        let error = dead.lastError ?? "?"
        if error.hasPrefix(SinkAnswer.noRecipient) {
            let who: String
            switch facts.events.first(where: { $0.id == dead.eventID })?.payload[TelegramUser.payloadKey] {
            case .int(let user): who = "user \(user)"
            default: who = "the buyer"
            }
            return TraceVerdict(
                text: "the buyer was never notified: Telegram sink `\(dead.sink)` found no chat for \(who) (\(error))",
                next: "ask the buyer to start the bot, then payctl deliveries retry \(dead.id)")
        }
        return TraceVerdict(
            text: "\(listener(dead.sink)) has not heard of it: delivery #\(dead.id) of \(dead.eventType) "
                + "to `\(dead.sink)` dead after \(dead.attempts) attempt(s), last "
                + (dead.lastStatusCode.map { "HTTP \($0)" } ?? error),
            next: "fix the receiver, then payctl deliveries retry \(dead.id)")
    }

    private static func notFannedOut(_ facts: TraceFacts) -> TraceVerdict? {
        guard let waiting = facts.events.first(where: { !$0.fannedOut }) else { return nil }
        return TraceVerdict(
            text: "the relay has not taken up \(waiting.type) (made \(waiting.createdAt)): no sink has it yet",
            next: "is events-relay running? payctl check")
    }

    private static func deliveryOpen(_ facts: TraceFacts) -> TraceVerdict? {
        guard let waiting = facts.deliveries.first(where: \.status.isOpen) else { return nil }
        let last = facts.attempts.last { $0.deliveryID == waiting.id }
        return TraceVerdict(
            text: "\(listener(waiting.sink)) has not taken \(waiting.eventType) yet: delivery #\(waiting.id) "
                + (last.map { "failed \(waiting.attempts) attempt(s), last \($0.error ?? "?")" } ?? "not attempted yet")
                + (waiting.nextAttemptAt.map { "; next attempt at \($0)" } ?? ""),
            next: last == nil
                ? "is events-relay running? payctl check"
                : "wait for the relay, or payctl deliveries retry \(waiting.id)")
    }

    /// A provider's delivery about this payment itself (not another payment of its deal) whose
    /// outcome is a problem, while the payment is open or after its last change.
    private static func webhookRefused(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        let ids = facts.providerIDs
        guard
            let refused = facts.webhooks.last(where: { webhook in
                WebhookOutcome(rawValue: webhook.outcome).severity == .problem
                    && [webhook.objectID, webhook.paymentIntentID, webhook.sessionID].contains {
                        $0.map(ids.contains) ?? false
                    }
            }),
            subject.isOpen || refused.receivedAt >= subject.updatedAt
        else { return nil }
        return TraceVerdict(
            text: "\(refused.provider) \(refused.eventType) was not applied: \(refused.outcome)"
                + (refused.error.map { " (\($0))" } ?? ""),
            next: "payctl show \(refused.eventKey)")
    }

    /// Where the provider's record and ours part: money taken there and not here (a notification
    /// that never came), taken here and not there, or refunds counted differently.
    private static func providerDisagrees(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        guard let holding = facts.holding else { return nil }
        let name = subject.provider.displayName
        let reconcile = "payctl reconcile --provider \(subject.provider.rawValue) --since \(sinceCreated(subject))"
        if holding.paid == true, subject.isOpen {
            return TraceVerdict(
                text: "the notification never came: \(name) says the money was taken, here it is \(subject.status)",
                next: reconcile + " --apply")
        }
        if holding.paid == false, subject.isPaid || subject.status == PaymentStatus.refunded.rawValue {
            return TraceVerdict(
                text: "\(name) does not say the money was taken, here it is \(subject.status)",
                next: "check the payment in the \(name) dashboard; \(reconcile)")
        }
        if holding.refundedMinor != subject.refundedMinor, holding.paid != nil {
            return TraceVerdict(
                text:
                    "\(name) counts \(subject.amount(holding.refundedMinor)) refunded, here \(subject.amount(subject.refundedMinor))",
                next: reconcile + " --apply")
        }
        return nil
    }

    private static func stillOpen(_ facts: TraceFacts) -> TraceVerdict? {
        let subject = facts.subject
        guard subject.isOpen else { return nil }
        return TraceVerdict(
            text:
                "\(subject.provider.displayName) has not settled it: \(subject.status) since \(subject.createdAt), no notification applied",
            next: facts.holding == nil
                ? "payctl trace \(subject.id) --provider"
                : "wait: the buyer has not paid, or the provider has not decided")
    }

    private static func allWell(_ facts: TraceFacts) -> TraceVerdict {
        let subject = facts.subject
        let delivered = facts.deliveries.count
        let standing =
            subject.status == PaymentStatus.refunded.rawValue
            ? "refunded in full (\(subject.amount(subject.refundedMinor)))"
            : subject.status
                + (subject.refundedMinor > 0 ? ", partially refunded \(subject.amount(subject.refundedMinor))" : "")
        return TraceVerdict(
            text: delivered == 0
                ? "\(standing); no sink wants its events"
                : "\(standing); delivered everywhere: \(facts.events.count) event(s), \(delivered) delivery(ies), all delivered",
            next: "nothing to do")
    }

    /// Who a sink stands for in a sentence: "the CRM" for `crm`, else "sink `name`".
    private static func listener(_ sink: String) -> String {
        switch sink.lowercased() {
        case "crm": "the CRM"
        case "users", "user-service": "the user service"
        case "buyer": "the buyer"
        default: "sink `\(sink)`"
        }
    }

    /// A reconcile window that reaches back to when the subject was made: whole days, at least one.
    private static func sinceCreated(_ subject: TraceSubject) -> String {
        let age = max(0, Int64(time(nil)) - subject.createdEpoch)
        return "\(age / 86_400 + 1)d"
    }
}
