import Base
import Domain

/// `webhook_rejections` as operators read them: the counters of refused deliveries, and their
/// purge. The webhooks only count (`WebhookRejectionStore`).
package struct RejectionLog {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let recent = """
            SELECT provider, reason, count, last_detail, last_event_type, last_event_id,
                   to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS hour,
                   to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen_at
            FROM webhook_rejections
            WHERE last_seen_at >= now() - $1::int * interval '1 second' AND ($2::text IS NULL OR provider = $2)
            ORDER BY last_seen_at, provider, reason
            """
        static let purge = "DELETE FROM webhook_rejections WHERE last_seen_at < now() - $1::int * interval '1 second'"
        static let purgeable =
            "SELECT count(*) AS count FROM webhook_rejections WHERE last_seen_at < now() - $1::int * interval '1 second'"
    }

    /// The counters touched within the last `windowSeconds`, oldest first.
    package func recent(windowSeconds: Int, provider: Provider? = nil) throws -> [Record] {
        try connection.query(SQL.recent, [windowSeconds, provider?.rawValue]).rows.map(Record.init)
    }

    /// How many counters were last touched more than `seconds` ago.
    package func purgeableCount(olderThan seconds: Int) throws -> Int {
        Int(try connection.query(SQL.purgeable, [seconds]).first?.requiredInt("count") ?? 0)
    }

    /// Deletes the counters last touched more than `seconds` ago; returns how many.
    package func purge(olderThan seconds: Int) throws -> Int {
        try connection.query(SQL.purge, [seconds]).affectedRows
    }

    /// One counter as operators read it.
    package struct Record: Sendable, Encodable {
        package let provider: String
        package let reason: String
        package let hour: String
        package let count: Int
        package let lastSeenAt: String
        package let lastDetail: String?
        package let lastEventType: String?
        package let lastEventID: String?

        init(_ row: PGRow) throws {
            provider = try row.requiredString("provider")
            reason = try row.requiredString("reason")
            hour = try row.requiredString("hour")
            count = Int(try row.requiredInt("count"))
            lastSeenAt = try row.requiredString("last_seen_at")
            lastDetail = try row.string("last_detail")
            lastEventType = try row.string("last_event_type")
            lastEventID = try row.string("last_event_id")
        }
    }
}
