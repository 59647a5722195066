extension Migration {
    /// Deliveries refused before verification (a failed signature, a wrong secret token, an
    /// untrusted source) become counters per provider, reason and hour instead of a row each, so
    /// what an unauthenticated sender can make the database keep is bounded. Rows that earlier
    /// code stored for failed signatures are folded into the counters.
    static let webhookRejections = Migration(
        version: 2, name: "webhook rejections",
        sql: #"""
            CREATE TABLE webhook_rejections (
                provider        text NOT NULL CHECK (provider IN ('yookassa', 'stripe', 'telegram')),
                reason          text NOT NULL CHECK (reason IN ('signature_failed', 'invalid_secret_token', 'untrusted_source')),
                hour            timestamptz NOT NULL,
                count           bigint NOT NULL CHECK (count > 0),
                first_seen_at   timestamptz NOT NULL DEFAULT now(),
                last_seen_at    timestamptz NOT NULL DEFAULT now(),
                last_detail     text CHECK (char_length(last_detail) <= 200),
                last_event_type text CHECK (char_length(last_event_type) <= 64),
                last_event_id   text CHECK (char_length(last_event_id) <= 64),
                PRIMARY KEY (provider, reason, hour)
            );
            CREATE INDEX webhook_rejections_last_seen_at ON webhook_rejections (last_seen_at);

            INSERT INTO webhook_rejections (provider, reason, hour, count, first_seen_at, last_seen_at, last_detail)
                SELECT provider, 'signature_failed', date_trunc('hour', received_at), sum(deliveries), min(received_at),
                       max(updated_at), left(max(error), 200)
                FROM webhook_events WHERE outcome = 'signature_failed'
                GROUP BY provider, date_trunc('hour', received_at);
            DELETE FROM webhook_events WHERE outcome = 'signature_failed';
            """#)
}
