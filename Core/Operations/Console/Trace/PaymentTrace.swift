import Base
import Domain
import Providers

/// The operator's one read of a payment or purchase (`payctl trace`): which ones an id an
/// operator has in hand names, and everything recorded about one, from the read models of the
/// console (webhook events, domain events, deliveries and their attempts, refunds, reconciliation
/// findings, the audit trail), each statement bounded by an index on the subject.
package struct PaymentTrace {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// A payment or purchase an id names, and what the id is of it.
    package struct Match: Sendable, Encodable, Equatable {
        package let type: AggregateType
        package let id: String
        /// What the id was found as: `deal id`, `Stripe event id`, `delivery id`, ….
        package let via: String
    }

    private enum SQL {
        static let uuid =
            "CASE WHEN $1 ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN $1::uuid END"
        static let number = "CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN $1::bigint END"
        /// Every payment or purchase `$1` names, by each id an operator may hold.
        static let resolve = """
            SELECT DISTINCT ON (type, id) type, id, via FROM (
            SELECT 'payment' AS type, id::text AS id, 'payment id' AS via FROM payments WHERE id = \(uuid)
            UNION SELECT 'payment', id::text, 'provider payment id' FROM payments
                WHERE provider IN ('yookassa', 'stripe') AND provider_payment_id = $1
            UNION SELECT 'payment', id::text, 'deal id' FROM payments WHERE deal_id = $1
            UNION SELECT 'payment', id::text, 'appointment id' FROM payments WHERE appointment_id = $1
            UNION SELECT 'purchase', id, 'purchase id' FROM purchases WHERE id = $1
            UNION SELECT 'purchase', purchase_id, 'Stars charge id' FROM purchase_charges
                WHERE telegram_payment_charge_id = $1
            UNION SELECT 'payment', payment_id::text, 'refund id' FROM refunds
                WHERE id = \(uuid) OR (provider IN ('yookassa', 'stripe') AND provider_refund_id = $1)
            UNION SELECT aggregate_type, aggregate_id, 'domain event id' FROM events WHERE id = \(uuid)
            UNION SELECT e.aggregate_type, e.aggregate_id, 'delivery id'
                FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = \(number)
            UNION SELECT 'payment', p.id::text, w.provider || ' event id'
                FROM webhook_events w
                JOIN payments p ON p.provider = w.provider
                    AND (p.provider_payment_id IN (w.object_id, w.payment_intent_id, w.session_id) OR p.deal_id = w.deal_id)
                WHERE w.provider IN ('yookassa', 'stripe') AND (w.event_key = $1 OR w.id = \(uuid))
            UNION SELECT 'purchase', w.object_id, 'Telegram update'
                FROM webhook_events w JOIN purchases p ON p.id = w.object_id
                WHERE w.provider = 'telegram' AND (w.event_key = $1 OR w.event_key = 'update:' || $1 OR w.id = \(uuid))
            UNION SELECT 'payment', p.id::text, 'Stripe id'
                FROM events e JOIN payments p ON p.id::text = e.aggregate_id
                WHERE e.aggregate_type = 'payment' AND $1 ~ '^(cs|ch|py|in|pi)_'
                  AND (e.payload->>'session_id' = $1 OR e.payload->>'charge_id' = $1
                       OR e.payload->>'payment_intent_id' = $1 OR e.payload->>'invoice_id' = $1)
            ) AS found
            ORDER BY type, id, via
            LIMIT 20
            """
        static let payment = """
            SELECT p.id::text AS id, p.provider, p.provider_payment_id, p.status, p.amount_minor, p.currency,
                   p.purpose, p.deal_id, p.appointment_id, p.user_id,
                   \(SQLTime.utcMilliseconds("p.created_at")) AS created_at,
                   \(SQLTime.utcMilliseconds("p.updated_at")) AS updated_at,
                   extract(epoch FROM p.created_at)::bigint AS created_epoch,
                   p.amount_refunded_minor AS refunded_minor,
                   (SELECT b.paid_before::text FROM booking_second_payments b
                    JOIN payments first ON first.id = b.paid_before AND first.status = 'succeeded'
                    WHERE b.payment_id = p.id) AS paid_twice_after
            FROM payments p WHERE p.id = $1::uuid
            """
        static let purchase = """
            SELECT p.id, 'telegram' AS provider, p.telegram_payment_charge_id AS provider_payment_id, p.status,
                   p.amount_minor, p.currency, p.item_id AS purpose, NULL AS deal_id, NULL AS appointment_id,
                   p.user_id, \(SQLTime.utcMilliseconds("p.created_at")) AS created_at,
                   \(SQLTime.utcMilliseconds("p.updated_at")) AS updated_at,
                   extract(epoch FROM p.created_at)::bigint AS created_epoch,
                   (SELECT coalesce(sum(c.amount_minor), 0) FROM purchase_charges c
                    WHERE c.purchase_id = p.id AND c.refunded_at IS NOT NULL) AS refunded_minor,
                   NULL AS paid_twice_after
            FROM purchases p WHERE p.id = $1
            """
        static let refunds = """
            SELECT id::text AS id, provider_refund_id, amount_minor, status, reason, requested_by, error,
                   \(SQLTime.utcMilliseconds("created_at")) AS created_at,
                   \(SQLTime.utcMilliseconds("succeeded_at")) AS succeeded_at
            FROM refunds WHERE payment_id = $1::uuid ORDER BY created_at
            """
        static let charges = """
            SELECT telegram_payment_charge_id AS id, amount_minor, refund_due, reason,
                   \(SQLTime.utcMilliseconds("created_at")) AS created_at,
                   \(SQLTime.utcMilliseconds("refunded_at")) AS refunded_at
            FROM purchase_charges WHERE purchase_id = $1 ORDER BY created_at
            """
        static let findings = """
            SELECT \(SQLTime.utcMilliseconds("r.finished_at")) AS at, d.value::text AS difference
            FROM reconcile_runs r
            CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(r.report) = 'array' THEN r.report ELSE '[]'::jsonb END) AS d(value)
            WHERE r.finished_at >= to_timestamp($1) - interval '5 minutes'
              AND (d.value->>'local_id' = $2 OR d.value->>'provider_id' = ANY ($3::text[]))
            ORDER BY r.finished_at, r.id
            """
        static let sinkStates = "SELECT sink, state, reason FROM sink_states WHERE state <> 'active'"
    }

    /// Every payment or purchase `id` names (at most 20).
    package func resolve(_ id: String) throws -> [Match] {
        guard (1...255).contains(id.utf8.count) else { return [] }
        return try connection.query(SQL.resolve, [id]).rows.compactMap { row in
            guard let type = AggregateType(rawValue: try row.requiredString("type")) else { return nil }
            return Match(type: type, id: try row.requiredString("id"), via: try row.requiredString("via"))
        }
    }

    /// Everything recorded about the payment or purchase `match` names; nil when it is gone.
    func facts(of match: Match) throws -> TraceFacts? {
        let statement = match.type == .payment ? SQL.payment : SQL.purchase
        guard let row = try connection.query(statement, [match.id]).first,
            let provider = Provider(rawValue: try row.requiredString("provider"))
        else { return nil }
        let subject = TraceSubject(
            type: match.type, id: try row.requiredString("id"), provider: provider,
            providerPaymentID: try row.string("provider_payment_id"), status: try row.requiredString("status"),
            amountMinor: try row.requiredInt("amount_minor"), currency: try row.requiredString("currency"),
            purpose: try row.requiredString("purpose"), dealID: try row.string("deal_id"),
            appointmentID: try row.string("appointment_id"), userID: try row.string("user_id"),
            createdAt: try row.requiredString("created_at"), updatedAt: try row.requiredString("updated_at"),
            refundedMinor: try row.requiredInt("refunded_minor"), paidTwiceAfter: try row.string("paid_twice_after"),
            createdEpoch: try row.requiredInt("created_epoch"))
        var facts = TraceFacts(subject: subject)
        facts.events = try DomainEventLog(connection: connection).of(subject.type, subject.id)
        let deliveries = DeliveryLog(connection: connection)
        facts.deliveries = try deliveries.list(
            DeliveryLog.Filter(aggregate: (subject.type, subject.id), limit: 10_000)
        ).reversed()
        facts.attempts = try deliveries.attempts(of: subject.type, subject.id)
        if subject.type == .payment {
            facts.refunds = try connection.query(SQL.refunds, [subject.id]).rows.map(TraceFacts.Refund.init)
        } else {
            facts.charges = try connection.query(SQL.charges, [subject.id]).rows.map(TraceFacts.Charge.init)
        }
        let ids = facts.providerIDs.sorted()
        facts.webhooks = try WebhookEventLog(connection: connection).about(
            provider: subject.provider, dealID: subject.dealID, ids: ids, since: subject.createdEpoch)
        facts.findings = try connection.query(SQL.findings, [subject.createdEpoch, subject.id, ids]).rows.map { row in
            TraceFacts.Finding(at: try row.requiredString("at"), difference: try row.requiredString("difference"))
        }
        let audit = AuditLog(connection: connection)
        for about in [subject.id] + facts.charges.map(\.id) {
            facts.audit += try audit.lines(about: about)
        }
        for row in try connection.query(SQL.sinkStates).rows {
            facts.sinkStates[try row.requiredString("sink")] = (
                SinkState(rawValue: try row.requiredString("state")) ?? .paused, try row.string("reason")
            )
        }
        return facts
    }
}
