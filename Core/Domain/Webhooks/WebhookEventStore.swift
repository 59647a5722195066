import Base
import FoundationEssentials

/// `webhook_events`: one row per distinct provider event, claimed inside the transaction that
/// applies its effect, so an event's effect and its record commit together. A repeat answered as a
/// duplicate writes nothing (no row version, no commit to flush); one applied again is counted.
package struct WebhookEventStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// What is known of an event when it arrives.
    package struct Arrival: Sendable {
        package let provider: Provider
        package let eventKey: String
        package let eventType: String
        package let objectID: String?
        package let verification: Verification
        package var dealID: String? = nil
        package var sessionID: String? = nil
        package var paymentIntentID: String? = nil

        package init(
            provider: Provider, eventKey: String, eventType: String, objectID: String?, verification: Verification
        ) {
            self.provider = provider
            self.eventKey = eventKey
            self.eventType = eventType
            self.objectID = objectID
            self.verification = verification
        }
    }

    /// The claimed row: whether this is the first delivery, and what an earlier one decided.
    package struct Claim: Sendable {
        package let id: UUID
        /// Deliveries applied before this one (1 for the first delivery's own row, counted once it ends).
        package let deliveries: Int
        /// The outcome recorded by an earlier delivery; nil for the first.
        package let previousOutcome: WebhookOutcome?
    }

    private enum SQL {
        /// The new event's row, inserted; or, when its key is taken, the row as this statement's
        /// snapshot sees it, read without a lock (none when the row committed after the snapshot).
        static let claim = """
            WITH inserted AS (
                INSERT INTO webhook_events (provider, event_key, event_type, object_id, verification, outcome,
                                            deal_id, session_id, payment_intent_id)
                VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, $8)
                ON CONFLICT (provider, event_key) DO NOTHING
                RETURNING id, deliveries, NULL::text AS outcome
            )
            SELECT * FROM inserted
            UNION ALL
            SELECT id, deliveries, outcome FROM webhook_events
            WHERE provider = $1 AND event_key = $2 AND NOT EXISTS (SELECT FROM inserted)
            """
        static let seen = "SELECT id, deliveries, outcome FROM webhook_events WHERE provider = $1 AND event_key = $2"
        static let reclaim = "SELECT id, deliveries, outcome FROM webhook_events WHERE id = $1::uuid FOR UPDATE"
        static let columns = """
            id, provider, event_key, event_type, object_id, object_status, amount_minor, currency, verification, outcome,
            steps, error, deal_id, session_id, payment_intent_id, deliveries,
            to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at,
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
            extract(epoch FROM updated_at)::numeric(20, 6)::text AS cursor
            """
        /// Events changed after a cursor and within a window, oldest first, with optional filters.
        static let recent = """
            SELECT \(columns) FROM webhook_events
            WHERE updated_at > to_timestamp($1::numeric) AND updated_at >= now() - $2::int * interval '1 second'
              AND ($3::text IS NULL OR provider = $3) AND ($4::text IS NULL OR event_type = $4)
              AND ($5::text IS NULL OR deal_id = $5) AND ($6::text IS NULL OR session_id = $6)
              AND ($7::text IS NULL OR event_key = $7)
            ORDER BY updated_at, id
            LIMIT $8
            """
        static let byKey = """
            SELECT \(columns) FROM webhook_events
            WHERE event_key = $1 OR event_key LIKE '%:' || $1 OR id::text = $1
            ORDER BY received_at DESC LIMIT 1
            """
        static let outcomesAmong = """
            SELECT event_key, outcome FROM webhook_events
            WHERE provider = $1 AND event_key = ANY ($2::text[])
            """
        static let finish = """
            UPDATE webhook_events
            SET outcome = $2, steps = $3::jsonb, error = $4, object_status = $5, amount_minor = $6, currency = $7,
                verification = $8, deliveries = deliveries + $9, updated_at = now()
            WHERE id = $1::uuid
            """
    }

    /// The outcome recorded for each of `keys` (events of `provider`) that was seen.
    package func outcomes(provider: Provider, keys: [String]) throws -> [String: WebhookOutcome] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: WebhookOutcome] = [:]
        for row in try connection.query(SQL.outcomesAmong, [provider.rawValue, keys]).rows {
            found[try row.requiredString("event_key")] = WebhookOutcome(rawValue: try row.requiredString("outcome"))
        }
        return found
    }

    /// Inserts the event's row, locked by that insert until the transaction ends; or, when the
    /// event was seen before (a concurrent first delivery is waited for), reads what it decided,
    /// without a lock or a write: a repeat that will be applied again is `reclaim`ed first.
    package func claim(_ arrival: Arrival) throws -> Claim {
        guard connection.inTransaction else {
            throw StoreError(
                .notInTransaction, detail: "webhook events are claimed inside the transaction that applies them")
        }
        let key: [(any SQLParameter)?] = [arrival.provider.rawValue, arrival.eventKey]
        let claimed = try connection.query(
            SQL.claim,
            key + [
                arrival.eventType, arrival.objectID, arrival.verification.rawValue, arrival.dealID, arrival.sessionID,
                arrival.paymentIntentID,
            ]
        ).first
        // Nothing: the row was committed by a delivery this statement waited for; a new snapshot sees it.
        guard let row = try claimed ?? connection.query(SQL.seen, key).first else {
            throw StoreError(.unexpectedResult, detail: "webhook event claim found no row")
        }
        CrashPoint.reach("after_claim")
        return try Self.claim(row)
    }

    /// Locks a repeat's row until the transaction ends; returns what is recorded now (a concurrent
    /// delivery may have changed it since `claim` read it).
    package func reclaim(_ claim: Claim) throws -> Claim {
        guard let row = try connection.query(SQL.reclaim, [claim.id]).first else {
            throw StoreError(.unexpectedResult, detail: "a claimed webhook event is not there")
        }
        return try Self.claim(row)
    }

    private static func claim(_ row: PGRow) throws -> Claim {
        guard let id = UUID(uuidString: try row.requiredString("id")) else {
            throw StoreError(.unexpectedResult, detail: "webhook event claim returned an unreadable id")
        }
        return Claim(
            id: id, deliveries: Int(try row.requiredInt("deliveries")),
            previousOutcome: try row.string("outcome").map(WebhookOutcome.init))
    }

    /// Events changed within the last `windowSeconds` and after `cursor` (an `updated_at`
    /// epoch from an earlier row), oldest first, narrowed by `filter`.
    package func recent(
        windowSeconds: Int, after cursor: String = "0", filter: Filter = Filter(), limit: Int = 1_000
    ) throws -> [Record] {
        try connection.query(
            SQL.recent,
            [
                cursor, windowSeconds, filter.provider, filter.type, filter.dealID, filter.sessionID, filter.eventID,
                limit,
            ]
        ).rows.map(Record.init)
    }

    /// The event with this provider event id (or row id), if any.
    package func find(_ eventID: String) throws -> Record? {
        try connection.query(SQL.byKey, [eventID]).first.map(Record.init)
    }

    /// What `recent` may be narrowed to.
    package struct Filter: Sendable {
        package var provider: String?
        package var type: String?
        package var dealID: String?
        package var sessionID: String?
        package var eventID: String?

        package init(
            provider: String? = nil, type: String? = nil, dealID: String? = nil, sessionID: String? = nil,
            eventID: String? = nil
        ) {
            self.provider = provider
            self.type = type
            self.dealID = dealID
            self.sessionID = sessionID
            self.eventID = eventID
        }
    }

    /// One `webhook_events` row as operators read it.
    package struct Record: Sendable, Encodable {
        package let id: String
        package let provider: String
        package let eventKey: String
        package let eventType: String
        package let objectID: String?
        package let objectStatus: String?
        package let amountMinor: Int64?
        package let currency: String?
        package let verification: String
        package let outcome: String
        package let steps: JSONValue
        package let error: String?
        package let dealID: String?
        package let sessionID: String?
        package let paymentIntentID: String?
        /// Deliveries that were applied: the first and any applied again. Repeats answered as
        /// duplicates change nothing here; each is in the log (`webhook done`, outcome `duplicate`).
        package let deliveries: Int
        package let receivedAt: String
        package let updatedAt: String
        /// Where a follower resumes after this row.
        package let cursor: String

        init(_ row: PGRow) throws {
            id = try row.requiredString("id")
            provider = try row.requiredString("provider")
            eventKey = try row.requiredString("event_key")
            eventType = try row.requiredString("event_type")
            objectID = try row.string("object_id")
            objectStatus = try row.string("object_status")
            amountMinor = try row.int("amount_minor")
            currency = try row.string("currency")
            verification = try row.requiredString("verification")
            outcome = try row.requiredString("outcome")
            steps =
                (try? JSONCoding.decode(JSONValue.self, from: Array(try row.requiredString("steps").utf8)))
                ?? .array([])
            error = try row.string("error")
            dealID = try row.string("deal_id")
            sessionID = try row.string("session_id")
            paymentIntentID = try row.string("payment_intent_id")
            deliveries = Int(try row.requiredInt("deliveries"))
            receivedAt = try row.requiredString("received_at")
            updatedAt = try row.requiredString("updated_at")
            cursor = try row.requiredString("cursor")
        }
    }

    /// Records how the event ended, with its steps and the object's status and amount, and counts a
    /// repeat applied again: a write that travels with the `COMMIT` where the transaction defers writes.
    func finish(_ claim: Claim, result: WebhookResult, trail: WebhookTrail, verification: Verification) throws {
        try connection.send(
            SQL.finish,
            [
                claim.id, result.outcome.rawValue, trail.stepsJSON, result.error, result.objectStatus,
                result.amount?.minorUnits,
                result.amount?.currency.code, verification.rawValue, claim.previousOutcome == nil ? 0 : 1,
            ])
    }
}
