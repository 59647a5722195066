import Base
import Domain
import FoundationEssentials

/// `deliveries` and `delivery_attempts`: the outbox's delivery side. The relay fans new events out
/// to the sinks that want them, claims what is due with `FOR UPDATE SKIP LOCKED` inside a
/// transaction that lasts while it sends (so a delivery is never in flight twice, and a relay that
/// dies releases what it held), and records every attempt.
package struct DeliveryStore {
    let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// One attempt's result, as recorded.
    package struct Attempt: Sendable, Encodable {
        package let id: Int64
        package let attempt: Int
        package let status: DeliveryStatus
        /// Milliseconds until the next attempt, for `retrying`.
        package let pause: Int?
        package let statusCode: Int?
        package let error: String?
        package let startedAt: String
        package let latency: Int

        package init(
            id: Int64, attempt: Int, status: DeliveryStatus, pause: Int?, statusCode: Int?, error: String?,
            startedAt: String, latency: Int
        ) {
            self.id = id
            self.attempt = attempt
            self.status = status
            self.pause = pause
            self.statusCode = statusCode
            self.error = error
            self.startedAt = startedAt
            self.latency = latency
        }

        enum CodingKeys: String, CodingKey {
            case id, attempt, status, pause
            case statusCode = "status_code"
            case error
            case startedAt = "started_at"
            case latency
        }
    }

    private enum SQL {
        static let awaitsFanOut =
            "SELECT EXISTS (SELECT 1 FROM events WHERE fanned_out_at IS NULL) AS waiting"
        /// New events, oldest first, each given a delivery per sink that wants it; an event no
        /// sink wants is published at once.
        static let fanOut = """
            WITH batch AS (
                SELECT seq, type, aggregate_type, aggregate_id FROM events
                WHERE fanned_out_at IS NULL ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
            ), wanted AS (
                SELECT DISTINCT b.seq, b.aggregate_type, b.aggregate_id, s.sink
                FROM batch b JOIN jsonb_to_recordset($1::jsonb) AS s(sink text, type text)
                    ON s.type = '*' OR s.type = b.type
            ), inserted AS (
                INSERT INTO deliveries (event_seq, sink, aggregate_type, aggregate_id)
                SELECT seq, sink, aggregate_type, aggregate_id FROM wanted
                ON CONFLICT (event_seq, sink) DO NOTHING
            )
            UPDATE events e SET fanned_out_at = now(),
                published_at = CASE WHEN EXISTS (SELECT 1 FROM wanted w WHERE w.seq = e.seq) THEN NULL ELSE now() END
            FROM batch WHERE e.seq = batch.seq
            """
        /// Due deliveries of one active sink, each the oldest open one of its aggregate (and none
        /// of whose aggregate's earlier events still waits for fan-out), locked for this transaction.
        /// The head test is a scalar subquery, so it stays an index probe per candidate whatever
        /// the planner's statistics (a fresh table's are none).
        static let claim = """
            SELECT d.id, d.attempts, e.id::text AS event_id, e.type, e.aggregate_type, e.aggregate_id,
                   e.payload::text AS payload,
                   to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
            FROM deliveries d JOIN events e ON e.seq = d.event_seq
            WHERE d.sink = $1 AND d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now()
              AND $1 NOT IN (\(SinkState.stoppedSinks))
              AND d.event_seq = (
                  SELECT min(p.event_seq) FROM deliveries p
                  WHERE p.sink = d.sink AND p.aggregate_type = d.aggregate_type AND p.aggregate_id = d.aggregate_id
                    AND p.status IN ('pending', 'retrying'))
              AND NOT EXISTS (
                  SELECT 1 FROM events u
                  WHERE u.aggregate_type = d.aggregate_type AND u.aggregate_id = d.aggregate_id
                    AND u.seq < d.event_seq AND u.fanned_out_at IS NULL)
            ORDER BY d.event_seq
            LIMIT $2
            FOR UPDATE OF d SKIP LOCKED
            """
        /// Each attempt kept, each delivery moved on, and each event whose deliveries are now all
        /// delivered published.
        static let record = """
            WITH r AS (
                SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
                    id bigint, attempt int, status text, pause bigint, status_code int, error text,
                    started_at timestamptz, latency int)
            ), kept AS (
                INSERT INTO delivery_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error)
                SELECT id, attempt, started_at, latency, status_code, error FROM r
                ON CONFLICT (delivery_id, attempt) DO NOTHING
            ), moved AS (
                UPDATE deliveries d SET status = r.status, attempts = r.attempt, last_attempt_at = r.started_at,
                    last_status_code = r.status_code, last_error = r.error,
                    next_attempt_at = CASE WHEN r.status = 'retrying'
                        THEN now() + r.pause * interval '1 millisecond' ELSE d.next_attempt_at END,
                    delivered_at = CASE WHEN r.status = 'delivered' THEN now() END
                FROM r WHERE d.id = r.id
                RETURNING d.event_seq
            )
            UPDATE events e SET published_at = now()
            WHERE e.seq IN (SELECT event_seq FROM moved) AND e.published_at IS NULL
              AND NOT EXISTS (
                  SELECT 1 FROM deliveries x
                  WHERE x.event_seq = e.seq AND x.status <> 'delivered'
                    AND x.id NOT IN (SELECT id FROM r WHERE status = 'delivered'))
            """
        static let due = """
            SELECT count(*) AS count FROM deliveries
            WHERE status IN ('pending', 'retrying') AND next_attempt_at <= now()
              AND sink NOT IN (\(SinkState.stoppedSinks))
            """
    }

    /// Gives up to `limit` new events their deliveries; returns how many events it took.
    @discardableResult
    package func fanOut(to sinks: [Sink], limit: Int = 500) throws -> Int {
        let rows = sinks.flatMap { sink in sink.patterns.map { ["sink": sink.name, "type": $0] } }
        let json = String(decoding: try JSONCoding.encode(rows), as: UTF8.self)
        return try connection.query(SQL.fanOut, [json, limit]).affectedRows
    }

    /// Locks up to `limit` due deliveries of `sink` for the open transaction.
    package func claim(sink: String, limit: Int) throws -> [OutboundEvent] {
        guard connection.inTransaction else {
            throw StoreError(
                .notInTransaction, detail: "deliveries are claimed inside the transaction that records them")
        }
        return try connection.query(SQL.claim, [sink, limit]).rows.map { row in
            let payload = try JSONCoding.decode(JSONValue.self, from: Array(try row.requiredString("payload").utf8))
            guard case .object(let fields) = payload,
                let aggregateType = AggregateType(rawValue: try row.requiredString("aggregate_type"))
            else { throw StoreError(.unexpectedResult, detail: "an event's payload or aggregate type is not readable") }
            return OutboundEvent(
                deliveryID: try row.requiredInt("id"), attempt: Int(try row.requiredInt("attempts")) + 1,
                eventID: try row.requiredString("event_id"),
                type: DomainEventType(rawValue: try row.requiredString("type")),
                aggregateType: aggregateType, aggregateID: try row.requiredString("aggregate_id"), payload: fields,
                createdAt: try row.requiredString("created_at"))
        }
    }

    /// Records attempts made in the open transaction.
    package func record(_ attempts: [Attempt]) throws {
        guard !attempts.isEmpty else { return }
        try connection.query(SQL.record, [String(decoding: try JSONCoding.encode(attempts), as: UTF8.self)])
    }

    /// Whether any event still waits for fan-out (one held by another worker's fan-out, or newer).
    package func awaitsFanOut() throws -> Bool {
        try connection.query(SQL.awaitsFanOut).first?.requiredString("waiting") == "t"
    }

    /// How many deliveries of active sinks are due now.
    package func dueCount() throws -> Int {
        Int(try connection.query(SQL.due).first?.requiredInt("count") ?? 0)
    }
}
