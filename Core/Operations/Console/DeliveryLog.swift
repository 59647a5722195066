import Base
import Domain

/// What `payctl` reads and changes in the outbox: listings, per-sink counts, manual retries and
/// backfills. Every write says how many rows it changed. The relay's own statements stay in
/// `DeliveryStore`.
package struct DeliveryLog {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Which deliveries a listing shows.
    package struct Filter: Sendable {
        package var sink: String?
        package var status: DeliveryStatus?
        package var eventType: String?
        /// Deliveries of these domain events only.
        package var eventIDs: [String]?
        /// Deliveries of the events of this Stripe deal only.
        package var dealID: String?
        /// Deliveries of the events of this payment or purchase only.
        package var aggregate: (type: AggregateType, id: String)?
        package var limit: Int

        package init(
            sink: String? = nil, status: DeliveryStatus? = nil, eventType: String? = nil, eventIDs: [String]? = nil,
            dealID: String? = nil, aggregate: (type: AggregateType, id: String)? = nil, limit: Int = 50
        ) {
            self.sink = sink
            self.status = status
            self.eventType = eventType
            self.eventIDs = eventIDs
            self.dealID = dealID
            self.aggregate = aggregate
            self.limit = limit
        }
    }

    /// Per sink: how its deliveries stand, and how long the oldest undelivered one has waited.
    package struct SinkCounts: Sendable, Encodable {
        package let sink: String
        package let delivered: Int
        package let pending: Int
        package let retrying: Int
        package let dead: Int
        /// Seconds since the oldest pending or retrying delivery was created.
        package let oldestUndeliveredSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case sink, delivered, pending, retrying, dead
            case oldestUndeliveredSeconds = "oldest_undelivered_seconds"
        }
    }

    private enum OperatorSQL {
        static let list = """
            SELECT \(DeliveryRecord.columns)
            FROM deliveries d JOIN events e ON e.seq = d.event_seq
            WHERE ($1::text IS NULL OR d.sink = $1) AND ($2::text IS NULL OR d.status = $2)
              AND ($3::text IS NULL OR e.type = $3)
              AND ($4::jsonb IS NULL OR e.id::text IN (SELECT jsonb_array_elements_text($4::jsonb)))
              AND ($6::text IS NULL OR e.payload->>'deal_id' = $6)
              AND ($7::text IS NULL OR (e.aggregate_type = $7 AND e.aggregate_id = $8))
            ORDER BY d.id DESC
            LIMIT $5
            """
        static let attempts = """
            SELECT a.delivery_id, a.attempt, \(SQLTime.utcMilliseconds("a.started_at")) AS started_at, a.latency_ms,
                   a.status_code, a.error, d.sink, d.status, e.type AS event_type
            FROM events e JOIN deliveries d ON d.event_seq = e.seq JOIN delivery_attempts a ON a.delivery_id = d.id
            WHERE e.aggregate_type = $1 AND e.aggregate_id = $2
            ORDER BY a.started_at, a.delivery_id, a.attempt
            LIMIT 100000
            """
        static let counts = """
            SELECT sink,
                   count(*) FILTER (WHERE status = 'delivered') AS delivered,
                   count(*) FILTER (WHERE status = 'pending') AS pending,
                   count(*) FILTER (WHERE status = 'retrying') AS retrying,
                   count(*) FILTER (WHERE status = 'dead') AS dead,
                   extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'retrying')))::bigint
                       AS oldest
            FROM deliveries
            WHERE created_at >= now() - $1::int * interval '1 second' OR status IN ('pending', 'retrying')
            GROUP BY sink ORDER BY sink
            """
        static let retryOne = """
            UPDATE deliveries SET status = CASE WHEN status = 'dead' THEN 'retrying' ELSE status END,
                next_attempt_at = now()
            WHERE id = $1 AND status <> 'delivered'
            """
        static let retrySink = """
            UPDATE deliveries SET status = 'retrying', next_attempt_at = now()
            WHERE sink = $1 AND status = $2 AND ($3::int IS NULL OR created_at >= now() - $3::int * interval '1 second')
            """
        static let backfill = """
            WITH inserted AS (
                INSERT INTO deliveries (event_seq, sink, aggregate_type, aggregate_id)
                SELECT e.seq, $1, e.aggregate_type, e.aggregate_id FROM events e
                WHERE e.created_at >= now() - $2::int * interval '1 second' AND e.fanned_out_at IS NOT NULL
                  AND (e.type IN (SELECT jsonb_array_elements_text($3::jsonb)) OR $3::jsonb ? '*')
                ON CONFLICT (event_seq, sink) DO NOTHING
                RETURNING event_seq
            )
            UPDATE events SET published_at = NULL WHERE seq IN (SELECT event_seq FROM inserted)
            """
    }

    /// The newest deliveries matching `filter`, newest first.
    package func list(_ filter: Filter) throws -> [DeliveryRecord] {
        let ids = try filter.eventIDs.map { String(decoding: try JSONCoding.encode($0), as: UTF8.self) }
        return try connection.query(
            OperatorSQL.list,
            [
                filter.sink, filter.status?.rawValue, filter.eventType, ids, filter.limit, filter.dealID,
                filter.aggregate?.type.rawValue, filter.aggregate?.id,
            ]
        ).rows.map(DeliveryRecord.init)
    }

    /// One attempt at a delivery, with the delivery's sink, status and event type.
    package struct Attempt: Sendable, Encodable {
        package let deliveryID: Int64
        package let attempt: Int
        package let startedAt: String
        package let latencyMilliseconds: Int
        package let statusCode: Int?
        /// Nil when it was delivered.
        package let error: String?
        package let sink: String
        /// Where the delivery stands now.
        package let deliveryStatus: DeliveryStatus
        package let eventType: String

        enum CodingKeys: String, CodingKey {
            case attempt, sink, error
            case deliveryID = "delivery_id"
            case startedAt = "started_at"
            case latencyMilliseconds = "latency_ms"
            case statusCode = "status_code"
            case deliveryStatus = "delivery_status"
            case eventType = "event_type"
        }
    }

    /// Every attempt at the deliveries of one payment's or purchase's events, oldest first.
    package func attempts(of aggregateType: AggregateType, _ aggregateID: String) throws -> [Attempt] {
        try connection.query(OperatorSQL.attempts, [aggregateType.rawValue, aggregateID]).rows.map { row in
            Attempt(
                deliveryID: try row.requiredInt("delivery_id"), attempt: Int(try row.requiredInt("attempt")),
                startedAt: try row.requiredString("started_at"),
                latencyMilliseconds: Int(try row.requiredInt("latency_ms")),
                statusCode: try row.int("status_code").map(Int.init), error: try row.string("error"),
                sink: try row.requiredString("sink"),
                deliveryStatus: DeliveryStatus(rawValue: try row.requiredString("status")) ?? .pending,
                eventType: try row.requiredString("event_type"))
        }
    }

    /// Counts per sink, over the last `windowSeconds` and every open delivery whatever its age.
    package func counts(windowSeconds: Int) throws -> [SinkCounts] {
        try connection.query(OperatorSQL.counts, [windowSeconds]).rows.map { row in
            SinkCounts(
                sink: try row.requiredString("sink"), delivered: Int(try row.requiredInt("delivered")),
                pending: Int(try row.requiredInt("pending")), retrying: Int(try row.requiredInt("retrying")),
                dead: Int(try row.requiredInt("dead")), oldestUndeliveredSeconds: try row.int("oldest").map(Int.init))
        }
    }

    /// Makes delivery `id` due now (a dead one gets one more attempt); false when there is no
    /// such undelivered delivery.
    package func retry(id: Int64) throws -> Bool {
        try connection.query(OperatorSQL.retryOne, [id]).affectedRows == 1
    }

    /// Makes every delivery of `sink` in `status` (made within the last `sinceSeconds`, when
    /// given) due now, a dead one for one more attempt; returns how many. The relay sends them
    /// oldest first within each aggregate.
    package func retry(sink: String, status: DeliveryStatus, sinceSeconds: Int?) throws -> Int {
        try connection.query(OperatorSQL.retrySink, [sink, status.rawValue, sinceSeconds]).affectedRows
    }

    /// Gives `sink` a delivery of each event of the last `seconds` it wants and does not have yet;
    /// returns how many events that reopened.
    package func backfill(_ sink: Sink, seconds: Int) throws -> Int {
        let patterns = String(decoding: try JSONCoding.encode(sink.patterns), as: UTF8.self)
        return try connection.query(OperatorSQL.backfill, [sink.name, seconds, patterns]).affectedRows
    }
}
