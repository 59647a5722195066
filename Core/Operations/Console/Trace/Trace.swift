import Base
import Domain
import Logging
import Providers

/// One payment's or purchase's story: what it is, everything that happened to it oldest first,
/// and the one line that answers "why" with the next step (`payctl trace`).
package struct Trace: Sendable, Encodable {
    package let subject: TraceSubject
    package let timeline: [TraceEntry]
    package let verdict: TraceVerdict

    init(_ facts: TraceFacts) {
        subject = facts.subject
        timeline = Self.timeline(facts)
        verdict = TraceVerdict(facts)
    }

    private init(subject: TraceSubject, timeline: [TraceEntry], verdict: TraceVerdict) {
        self.subject = subject
        self.timeline = timeline
        self.verdict = verdict
    }

    /// The trace of the payment or purchase `match` names; nil when it is gone. `lookup` gives the
    /// provider's read-only view for its provider, or nil for none; a provider that cannot be read
    /// is a line of the trace, not a failure.
    package static func read(
        _ match: PaymentTrace.Match, connection: PGConnection,
        lookup: (Provider) throws -> (any ProviderLookup)?, logger: Logger
    ) throws -> Trace? {
        guard var facts = try PaymentTrace(connection: connection).facts(of: match) else { return nil }
        if let lookup = try lookup(facts.subject.provider) {
            do {
                facts.holding = try lookup.holding(of: facts.providerObject, logger: logger)
            } catch {
                facts.holdingError = "\(error)"
            }
        }
        return Trace(facts)
    }

    /// The same trace with only what happened at or after `seconds` (Unix time) on its timeline.
    package func keeping(since seconds: Int64) -> Trace {
        let start = TraceEntry(at: UnixTime.iso8601(seconds), kind: .status, text: "").at
        return Trace(subject: subject, timeline: timeline.filter { $0.at >= start }, verdict: verdict)
    }

    private static func timeline(_ facts: TraceFacts) -> [TraceEntry] {
        let subject = facts.subject
        var entries: [TraceEntry] = [
            TraceEntry(
                at: subject.createdAt, kind: .status,
                text:
                    "\(subject.type.rawValue) \(subject.id) made: \(subject.provider.displayName) \(subject.purpose), "
                    + subject.amount(subject.amountMinor),
                fields: ["status": .string("created")])
        ]
        for webhook in facts.webhooks {
            let problem = WebhookOutcome(rawValue: webhook.outcome).severity == .problem
            entries.append(
                TraceEntry(
                    at: webhook.receivedAt, kind: problem ? .refused : .webhook,
                    text: "\(webhook.provider) \(webhook.eventType) \(webhook.eventKey): \(webhook.outcome)"
                        + " (verification \(webhook.verification), applied \(webhook.deliveries)×)"
                        + (webhook.error.map { ": \($0)" } ?? ""),
                    fields: [
                        "event_key": .string(webhook.eventKey), "event_type": .string(webhook.eventType),
                        "outcome": .string(webhook.outcome), "verification": .string(webhook.verification),
                        "steps": webhook.steps, "error": webhook.error.map(JSONValue.string) ?? .null,
                        "object_status": webhook.objectStatus.map(JSONValue.string) ?? .null,
                    ]))
            if webhook.outcome == WebhookOutcome.processed.rawValue, let status = webhook.objectStatus,
                webhook.objectID == subject.providerPaymentID || webhook.objectID == subject.id
                    || webhook.paymentIntentID == subject.providerPaymentID
            {
                entries.append(
                    TraceEntry(
                        at: webhook.updatedAt, kind: .status, text: "status → \(status) (\(webhook.eventType))",
                        fields: ["status": .string(status)]))
            }
        }
        let shown = entries.filter { $0.kind == .status }.compactMap { $0.fields["status"]?.stringValue }
        if shown.last != subject.status, subject.status != "pending" || shown.count > 1 {
            entries.append(
                TraceEntry(
                    at: subject.updatedAt, kind: .status, text: "status now \(subject.status)",
                    fields: ["status": .string(subject.status)]))
        }
        for charge in facts.charges {
            entries.append(
                TraceEntry(
                    at: charge.createdAt, kind: .status,
                    text: "Stars charge \(charge.id) recorded: \(charge.amountMinor) XTR"
                        + (charge.refundDue ? ", flagged for refund (\(charge.reason ?? "no reason"))" : ""),
                    fields: [
                        "status": .string(charge.refundDue ? "refund_due" : "charged"), "charge_id": .string(charge.id),
                    ]
                ))
            if let refunded = charge.refundedAt {
                entries.append(
                    TraceEntry(
                        at: refunded, kind: .refund,
                        text: "Stars charge \(charge.id) refunded: \(charge.amountMinor) XTR",
                        fields: ["status": .string("succeeded"), "amount_minor": .int(charge.amountMinor)]))
            }
        }
        for event in facts.events {
            entries.append(
                TraceEntry(
                    at: event.createdAt, kind: .event, text: "domain event \(event.type) \(event.id)",
                    fields: ["event_id": .string(event.id), "event_type": .string(event.type)]))
        }
        for delivery in facts.deliveries {
            entries.append(
                TraceEntry(
                    at: delivery.createdAt, kind: .delivery,
                    text: "delivery #\(delivery.id) of \(delivery.eventType) to \(delivery.sink): "
                        + "\(delivery.status.rawValue) after \(delivery.attempts) attempt(s)"
                        + (delivery.nextAttemptAt.map { ", next at \($0)" } ?? ""),
                    fields: [
                        "delivery_id": .int(delivery.id), "sink": .string(delivery.sink),
                        "delivery_status": .string(delivery.status.rawValue),
                        "attempts": .int(Int64(delivery.attempts)),
                        "event_type": .string(delivery.eventType),
                    ]))
        }
        for attempt in facts.attempts {
            let answer = attempt.statusCode.map { "HTTP \($0)" } ?? "no answer"
            entries.append(
                TraceEntry(
                    at: attempt.startedAt, kind: .attempt,
                    text: "attempt \(attempt.attempt) of #\(attempt.deliveryID) (\(attempt.eventType)) to "
                        + "\(attempt.sink): " + (attempt.error.map { "failed, \($0)" } ?? "delivered, \(answer)")
                        + " in \(attempt.latencyMilliseconds) ms",
                    fields: [
                        "delivery_id": .int(attempt.deliveryID), "attempt": .int(Int64(attempt.attempt)),
                        "sink": .string(attempt.sink), "delivery_status": .string(attempt.deliveryStatus.rawValue),
                        "status_code": attempt.statusCode.map { .int(Int64($0)) } ?? .null,
                        "error": attempt.error.map(JSONValue.string) ?? .null,
                    ]))
        }
        for refund in facts.refunds {
            entries.append(
                TraceEntry(
                    at: refund.createdAt, kind: .refund,
                    text: "refund \(refund.id) of \(subject.amount(refund.amountMinor)): \(refund.status)"
                        + (refund.requestedBy.map { ", requested by \($0)" } ?? ", reported by the provider")
                        + (refund.providerRefundID.map { ", provider id \($0)" } ?? "")
                        + (refund.error.map { ": \($0)" } ?? ""),
                    fields: [
                        "refund_id": .string(refund.id), "status": .string(refund.status),
                        "amount_minor": .int(refund.amountMinor),
                        "requested_by": refund.requestedBy.map(JSONValue.string) ?? .null,
                        "error": refund.error.map(JSONValue.string) ?? .null,
                    ]))
        }
        for finding in facts.findings {
            entries.append(
                TraceEntry(
                    at: finding.at, kind: .reconcile, text: "reconciliation found: \(finding.difference)",
                    fields: [
                        "difference": (try? JSONCoding.decode(JSONValue.self, from: Array(finding.difference.utf8)))
                            ?? .null
                    ]))
        }
        for line in facts.audit {
            entries.append(
                TraceEntry(
                    at: line.at, kind: .audit, text: "\(line.operator) \(line.action) \(line.detail)",
                    fields: ["operator": .string(line.operator), "action": .string(line.action)]))
        }
        for line in facts.holding?.lines ?? [] {
            entries.append(TraceEntry(at: line.at ?? subject.createdAt, kind: .provider, text: line.text))
        }
        if let error = facts.holdingError {
            entries.append(
                TraceEntry(
                    at: subject.updatedAt, kind: .provider,
                    text: "\(subject.provider.displayName) could not be read: \(error)"))
        }
        let ranks = Dictionary(uniqueKeysWithValues: TraceKind.allCases.enumerated().map { ($1, $0) })
        return entries.enumerated().sorted { left, right in
            (left.element.at, ranks[left.element.kind] ?? 0, left.offset)
                < (right.element.at, ranks[right.element.kind] ?? 0, right.offset)
        }.map(\.element)
    }
}
