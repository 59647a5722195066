extension Migration {
    /// Money back: each refund a row of its own, written before the provider is asked, so a retry
    /// after a crash resumes it; what a payment has given back (`amount_refunded_minor`, which a
    /// payment's status follows: `refunded` only when all of it is); and the operators' audit trail.
    /// Payments already `refunded` are counted from the refund events recorded for them (a YooKassa
    /// refund's `refund_amount_minor`, a Stripe charge's `amount_refunded_minor`), in full when none
    /// says; one refunded only in part, which earlier code marked `refunded`, is `succeeded` again.
    package static let refunds = Migration(
        version: 7, name: "refunds",
        sql: #"""
            ALTER TABLE payments ADD COLUMN amount_refunded_minor bigint NOT NULL DEFAULT 0;
            UPDATE payments p SET amount_refunded_minor = least(p.amount_minor, coalesce(
                (SELECT sum((e.payload->>'refund_amount_minor')::bigint) FROM events e
                 WHERE e.aggregate_type = 'payment' AND e.aggregate_id = p.id::text AND e.type = 'payment_refunded'),
                (SELECT max((e.payload->>'amount_refunded_minor')::bigint) FROM events e
                 WHERE e.aggregate_type = 'payment' AND e.aggregate_id = p.id::text AND e.type = 'deal_refunded'),
                p.amount_minor))
            WHERE p.status = 'refunded';
            UPDATE payments SET status = 'succeeded' WHERE status = 'refunded' AND amount_refunded_minor < amount_minor;
            ALTER TABLE payments ADD CONSTRAINT payments_refund_within_amount
                CHECK (amount_refunded_minor BETWEEN 0 AND amount_minor);

            CREATE TABLE refunds (
                id                 uuid PRIMARY KEY,
                payment_id         uuid NOT NULL REFERENCES payments (id),
                provider           text NOT NULL,
                provider_refund_id text CHECK (char_length(provider_refund_id) BETWEEN 1 AND 64),
                amount_minor       bigint NOT NULL CHECK (amount_minor > 0),
                currency           text NOT NULL,
                status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                reason             text CHECK (char_length(reason) <= 255),
                requested_by       text CHECK (char_length(requested_by) <= 64),
                error              text CHECK (char_length(error) <= 300),
                created_at         timestamptz NOT NULL DEFAULT now(),
                updated_at         timestamptz NOT NULL DEFAULT now(),
                succeeded_at       timestamptz
            );
            CREATE UNIQUE INDEX refunds_provider_refund ON refunds (provider, provider_refund_id);
            CREATE INDEX refunds_payment ON refunds (payment_id, created_at);
            CREATE UNIQUE INDEX refunds_one_open_request ON refunds (payment_id)
                WHERE status = 'pending' AND requested_by IS NOT NULL;

            ALTER TABLE purchase_charges ADD COLUMN refunded_at timestamptz;
            ALTER TABLE purchases DROP CONSTRAINT purchases_status_check;
            ALTER TABLE purchases ADD CONSTRAINT purchases_status_check
                CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded'));

            CREATE TABLE audit_log (
                id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at       timestamptz NOT NULL DEFAULT now(),
                operator text NOT NULL CHECK (char_length(operator) BETWEEN 1 AND 64),
                action   text NOT NULL,
                subject  text NOT NULL,
                detail   jsonb NOT NULL DEFAULT '{}'
            );
            CREATE INDEX audit_log_subject ON audit_log (subject, at);
            """#)
}
