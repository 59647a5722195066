extension Migration {
    /// The outbox, delivered: one `deliveries` row per domain event and sink that wants it, written
    /// by the relay's fan-out (which marks each event `fanned_out_at`, so no event is skipped and a
    /// sink added later does not receive history), every attempt kept in `delivery_attempts`, and
    /// a `NOTIFY events` after each insert into `events` so a following relay wakes at once.
    /// Events written before this step count as fanned out: history is replayed only on request.
    static let outbox = Migration(
        version: 3, name: "outbox deliveries",
        sql: #"""
            ALTER TABLE events ADD COLUMN fanned_out_at timestamptz;
            UPDATE events SET fanned_out_at = created_at;
            CREATE INDEX events_not_fanned_out ON events (seq) WHERE fanned_out_at IS NULL;

            CREATE TABLE deliveries (
                id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_seq        bigint NOT NULL REFERENCES events (seq),
                sink             text NOT NULL CHECK (char_length(sink) BETWEEN 1 AND 64),
                aggregate_type   text NOT NULL,
                aggregate_id     text NOT NULL,
                status           text NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'retrying', 'delivered', 'dead')),
                attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                next_attempt_at  timestamptz NOT NULL DEFAULT now(),
                last_attempt_at  timestamptz,
                last_status_code integer,
                last_error       text CHECK (char_length(last_error) <= 300),
                delivered_at     timestamptz,
                created_at       timestamptz NOT NULL DEFAULT now(),
                UNIQUE (event_seq, sink)
            );
            CREATE INDEX deliveries_open ON deliveries (sink, event_seq) WHERE status IN ('pending', 'retrying');
            CREATE INDEX deliveries_open_aggregate ON deliveries (sink, aggregate_type, aggregate_id, event_seq)
                WHERE status IN ('pending', 'retrying');
            CREATE INDEX deliveries_status ON deliveries (status, sink);

            CREATE TABLE delivery_attempts (
                delivery_id  bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
                attempt      integer NOT NULL CHECK (attempt > 0),
                started_at   timestamptz NOT NULL,
                latency_ms   integer NOT NULL CHECK (latency_ms >= 0),
                status_code  integer,
                error        text CHECK (char_length(error) <= 300),
                PRIMARY KEY (delivery_id, attempt)
            );

            CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('events', '');
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
            """#)
}
