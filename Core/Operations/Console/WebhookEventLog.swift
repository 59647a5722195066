import Base
import Domain

/// `webhook_events` as operators read them: recent events to tail and sum up, and one event found
/// by any id it was delivered under. The hot path's statements stay in `WebhookEventStore`.
package struct WebhookEventLog {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
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
        /// A payment's or purchase's deliveries from its provider: by deal (Stripe), else by any
        /// of its provider ids since it was made (the received-at index bounds the search).
        static let about = """
            SELECT \(columns) FROM webhook_events
            WHERE provider = $1
              AND ((deal_id IS NOT NULL AND deal_id = $2)
                OR (received_at >= to_timestamp($3) - interval '5 minutes'
                    AND (object_id = ANY ($4::text[]) OR payment_intent_id = ANY ($4::text[])
                         OR session_id = ANY ($4::text[]))))
            ORDER BY received_at, id
            LIMIT 10000
            """
        static let byKey = """
            SELECT \(columns) FROM webhook_events
            WHERE event_key = $1 OR event_key LIKE '%:' || $1 OR id::text = $1
            ORDER BY received_at DESC LIMIT 1
            """
    }

    /// Events changed within the last `windowSeconds` and after `cursor` (an `updated_at`
    /// epoch from an earlier row), oldest first, narrowed by `filter`.
    package func recent(
        windowSeconds: Int, after cursor: String = "0", filter: Filter = Filter(), limit: Int = 1_000
    ) throws -> [Record] {
        try connection.query(
            SQL.recent,
            [
                cursor, windowSeconds, filter.provider?.rawValue, filter.type, filter.dealID, filter.sessionID,
                filter.eventID,
                limit,
            ]
        ).rows.map(Record.init)
    }

    /// The event with this provider event id (or row id), if any.
    package func find(_ eventID: String) throws -> Record? {
        try connection.query(SQL.byKey, [eventID]).first.map(Record.init)
    }

    /// What `provider` delivered about one payment or purchase, oldest first: every delivery of
    /// deal `dealID`, and every delivery since `since` (Unix seconds) naming one of `ids` as its
    /// object, PaymentIntent or Checkout Session.
    package func about(provider: Provider, dealID: String?, ids: [String], since: Int64) throws -> [Record] {
        try connection.query(SQL.about, [provider.rawValue, dealID, since, ids]).rows.map(Record.init)
    }

    /// What `recent` may be narrowed to.
    package struct Filter: Sendable {
        package var provider: Provider?
        package var type: String?
        package var dealID: String?
        package var sessionID: String?
        package var eventID: String?

        package init(
            provider: Provider? = nil, type: String? = nil, dealID: String? = nil, sessionID: String? = nil,
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
}
