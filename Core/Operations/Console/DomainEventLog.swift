import Base
import Domain

/// The `events` table as operators read it: what a provider event caused.
package struct DomainEventLog {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let caused = """
            SELECT id::text AS id, type, aggregate_id, payload::text AS payload, fanned_out_at IS NOT NULL AS fanned_out,
                   \(SQLTime.utcMilliseconds("created_at")) AS created_at
            FROM events
            WHERE payload->>'stripe_event_id' = $1
               OR aggregate_id IN (SELECT id::text FROM payments WHERE provider_payment_id = $2)
            ORDER BY seq
            """
        static let of = """
            SELECT id::text AS id, type, aggregate_id, payload::text AS payload, fanned_out_at IS NOT NULL AS fanned_out,
                   \(SQLTime.utcMilliseconds("created_at")) AS created_at
            FROM events WHERE aggregate_type = $1 AND aggregate_id = $2
            ORDER BY seq
            LIMIT 10000
            """
    }

    /// A stored domain event.
    package struct Stored: Sendable, Encodable {
        /// The event's id: a webhook sink's `webhook-id`.
        package let id: String
        package let type: String
        package let aggregateID: String
        package let payload: JSONValue
        package let createdAt: String
        /// Whether the relay has given it its deliveries yet.
        package let fannedOut: Bool

        init(_ row: PGRow) throws {
            id = try row.requiredString("id")
            type = try row.requiredString("type")
            aggregateID = try row.requiredString("aggregate_id")
            payload =
                (try? JSONCoding.decode(JSONValue.self, from: Array(try row.requiredString("payload").utf8))) ?? .null
            createdAt = try row.requiredString("created_at")
            fannedOut = try row.bool("fanned_out") ?? false
        }

        enum CodingKeys: String, CodingKey {
            case id, type, payload
            case aggregateID = "aggregate_id"
            case createdAt = "created_at"
            case fannedOut = "fanned_out"
        }
    }

    /// The domain events a provider event caused: those naming it, and those of the payment
    /// the provider knows as `providerObject`.
    package func caused(byProviderEvent eventKey: String, providerObject: String?) throws -> [Stored] {
        try connection.query(SQL.caused, [eventKey, providerObject]).rows.map(Stored.init)
    }

    /// Every domain event of one payment or purchase, oldest first.
    package func of(_ aggregateType: AggregateType, _ aggregateID: String) throws -> [Stored] {
        try connection.query(SQL.of, [aggregateType.rawValue, aggregateID]).rows.map(Stored.init)
    }
}
