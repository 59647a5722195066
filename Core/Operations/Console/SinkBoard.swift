import Base

/// The sinks as an operator steers them (`payctl sinks`): each one's state and recent health,
/// and pausing and resuming it. The relay's own record of a sink's failures is `SinkHealth`.
package struct SinkBoard {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// One sink's standing.
    package struct Standing: Sendable, Encodable {
        package let name: String
        /// As the sinks file names it; nil for a sink that has deliveries but is no longer in it.
        package let kind: SinkKind?
        /// The event types it is sent (`*` for any).
        package let events: [String]
        package let state: SinkState
        /// When the state last changed, by whom and why (for a paused or disabled sink).
        package let stateChangedAt: String?
        package let stateChangedBy: String?
        package let reason: String?
        /// Since when every attempt has failed, when the latest ones did.
        package let failingSince: String?
        /// Deliveries made within the window, and every open one, by status.
        package let deliveries: [DeliveryStatus: Int]
        /// Attempts within the window, and how many of them were delivered.
        package let attempts: Int
        package let deliveredAttempts: Int
        /// Seconds since the oldest pending or retrying delivery was made.
        package let oldestUndeliveredSeconds: Int?
        /// The latest failed attempt within the window.
        package let lastError: LastError?

        /// The share of the window's attempts that were delivered; nil without attempts.
        package var successRate: Double? { attempts == 0 ? nil : Double(deliveredAttempts) / Double(attempts) }

        /// A failed attempt: when, the receiver's status code if it answered, and the error.
        package struct LastError: Sendable, Encodable {
            package let at: String
            package let statusCode: Int?
            package let error: String

            enum CodingKeys: String, CodingKey {
                case at, error
                case statusCode = "status_code"
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, events, state, reason, deliveries, attempts
            case stateChangedAt = "state_changed_at"
            case stateChangedBy = "state_changed_by"
            case failingSince = "failing_since"
            case deliveredAttempts = "delivered_attempts"
            case successRate = "success_rate"
            case oldestUndeliveredSeconds = "oldest_undelivered_seconds"
            case lastError = "last_error"
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encode(events, forKey: .events)
            try container.encode(state, forKey: .state)
            try container.encode(stateChangedAt, forKey: .stateChangedAt)
            try container.encode(stateChangedBy, forKey: .stateChangedBy)
            try container.encode(reason, forKey: .reason)
            try container.encode(failingSince, forKey: .failingSince)
            try container.encode(
                Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, deliveries[$0] ?? 0) }),
                forKey: .deliveries)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(deliveredAttempts, forKey: .deliveredAttempts)
            try container.encode(successRate, forKey: .successRate)
            try container.encode(oldestUndeliveredSeconds, forKey: .oldestUndeliveredSeconds)
            try container.encode(lastError, forKey: .lastError)
        }
    }

    private enum SQL {
        static let standings = """
            WITH names AS (
                SELECT jsonb_array_elements_text($1::jsonb) AS sink
                UNION SELECT sink FROM sink_states
            ), tried AS (
                SELECT d.sink, count(*) AS attempts,
                       count(*) FILTER (WHERE a.error IS NULL) AS delivered_attempts
                FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE a.started_at >= now() - $2::int * interval '1 second'
                GROUP BY d.sink
            )
            SELECT n.sink, coalesce(s.state, 'active') AS state, \(SQLTime.utc("s.changed_at")) AS changed_at,
                   s.changed_by, s.reason, \(SQLTime.utc("s.failing_since")) AS failing_since,
                   coalesce(t.attempts, 0) AS attempts, coalesce(t.delivered_attempts, 0) AS delivered_attempts,
                   \(SQLTime.utc("f.started_at")) AS error_at, f.status_code AS error_status_code, f.error
            FROM names n
            LEFT JOIN sink_states s ON s.sink = n.sink
            LEFT JOIN tried t ON t.sink = n.sink
            LEFT JOIN LATERAL (
                SELECT a.started_at, a.status_code, a.error
                FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE d.sink = n.sink AND a.error IS NOT NULL
                  AND a.started_at >= now() - $2::int * interval '1 second'
                ORDER BY a.started_at DESC LIMIT 1
            ) f ON true
            ORDER BY n.sink
            """
        static let pause = """
            INSERT INTO sink_states AS s (sink, state, changed_by, reason) VALUES ($1, 'paused', $2, $3)
            ON CONFLICT (sink) DO UPDATE SET state = 'paused', changed_at = now(), changed_by = $2, reason = $3
            RETURNING (SELECT state FROM sink_states WHERE sink = $1) AS previous
            """
        /// Active again, its run of failures forgotten; its open deliveries due now, and those that
        /// died during that run (while it failed every attempt) open again, so each payment's
        /// events still go out oldest first.
        static let resume = """
            WITH previous AS (SELECT state, failing_since FROM sink_states WHERE sink = $1 FOR UPDATE),
            resumed AS (
                UPDATE sink_states SET state = 'active', failing_since = NULL, gone_since = NULL,
                    changed_at = now(), changed_by = $2, reason = NULL
                WHERE sink = $1 AND state <> 'active'
                RETURNING sink
            ), chosen AS (
                SELECT d.id, d.status AS was FROM deliveries d, previous p
                WHERE d.sink = $1
                  AND ((d.status IN ('pending', 'retrying') AND d.next_attempt_at > now())
                    OR (d.status = 'dead' AND p.failing_since IS NOT NULL AND d.last_attempt_at >= p.failing_since))
            ), due AS (
                UPDATE deliveries d SET next_attempt_at = now(), status = CASE WHEN c.was = 'dead' THEN 'retrying' ELSE d.status END
                FROM chosen c
                WHERE d.id = c.id AND EXISTS (SELECT 1 FROM resumed)
                RETURNING c.was
            )
            SELECT (SELECT state FROM previous) AS previous,
                   (SELECT count(*) FROM deliveries WHERE sink = $1 AND status IN ('pending', 'retrying'))
                       + (SELECT count(*) FROM due WHERE was = 'dead') AS waiting,
                   (SELECT count(*) FROM due WHERE was = 'dead') AS revived,
                   (SELECT count(*) FROM due) AS made_due
            """
    }

    /// Every sink of `sinks`, and any other with a state or recent deliveries, over the last
    /// `windowSeconds` (open deliveries whatever their age, as `DeliveryLog.counts` counts them),
    /// by name.
    package func standings(of sinks: [Sink], windowSeconds: Int) throws -> [Standing] {
        let counts = try DeliveryLog(connection: connection).counts(windowSeconds: windowSeconds)
        let names = String(
            decoding: try JSONCoding.encode(sinks.map(\.name) + counts.map(\.sink)), as: UTF8.self)
        return try connection.query(SQL.standings, [names, windowSeconds]).rows.map { row in
            let name = try row.requiredString("sink")
            let sink = sinks.first { $0.name == name }
            let counted = counts.first { $0.sink == name }
            let deliveries: [DeliveryStatus: Int] = [
                .pending: counted?.pending ?? 0, .retrying: counted?.retrying ?? 0,
                .delivered: counted?.delivered ?? 0, .dead: counted?.dead ?? 0,
            ]
            let lastError = try row.string("error").map { error in
                Standing.LastError(
                    at: try row.requiredString("error_at"), statusCode: try row.int("error_status_code").map(Int.init),
                    error: error)
            }
            return Standing(
                name: name, kind: sink?.kind, events: sink?.patterns ?? [],
                state: SinkState(rawValue: try row.requiredString("state")) ?? .active,
                stateChangedAt: try row.string("changed_at"), stateChangedBy: try row.string("changed_by"),
                reason: try row.string("reason"), failingSince: try row.string("failing_since"),
                deliveries: deliveries, attempts: Int(try row.requiredInt("attempts")),
                deliveredAttempts: Int(try row.requiredInt("delivered_attempts")),
                oldestUndeliveredSeconds: counted?.oldestUndeliveredSeconds, lastError: lastError)
        }
    }

    /// Whether `sink` has a state or any delivery: a sink the database knows, in the sinks file or not.
    package func isKnown(_ sink: String) throws -> Bool {
        try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM sink_states WHERE sink = $1)
                OR EXISTS (SELECT 1 FROM deliveries WHERE sink = $1) AS known
            """, [sink]
        ).first?.bool("known") ?? false
    }

    /// The state of `sink` now.
    package func state(of sink: String) throws -> SinkState {
        try connection.query("SELECT state FROM sink_states WHERE sink = $1", [sink]).first?.string("state")
            .flatMap(SinkState.init) ?? .active
    }

    /// Pauses `sink` for `operatorName`; returns the state it had.
    package func pause(_ sink: String, by operatorName: String, reason: String?) throws -> SinkState {
        let row = try connection.query(
            SQL.pause, [sink, BoundedText.clip(operatorName, 64), reason.map { BoundedText.clip($0, 300) }]
        ).first
        return try row?.string("previous").flatMap(SinkState.init) ?? .active
    }

    /// What resuming a sink found and did.
    package struct Resumed: Sendable, Encodable {
        /// The state it had.
        package let previous: SinkState
        /// Its open deliveries, now attempted in order.
        package let waiting: Int
        /// Of those, the ones that had died while it failed every attempt.
        package let revived: Int
        /// Deliveries whose next attempt was brought forward to now.
        package let madeDue: Int

        enum CodingKeys: String, CodingKey {
            case previous, waiting, revived
            case madeDue = "made_due"
        }
    }

    /// Makes `sink` active again for `operatorName`, its run of failures forgotten, its waiting
    /// deliveries due now and those that died during that run open again, and wakes the following
    /// relays.
    package func resume(_ sink: String, by operatorName: String) throws -> Resumed {
        let row = try connection.query(SQL.resume, [sink, BoundedText.clip(operatorName, 64)]).first
        try connection.query("NOTIFY events")
        return Resumed(
            previous: try row?.string("previous").flatMap(SinkState.init) ?? .active,
            waiting: Int(try row?.int("waiting") ?? 0), revived: Int(try row?.int("revived") ?? 0),
            madeDue: Int(try row?.int("made_due") ?? 0))
    }
}
