import Base

/// Appends domain events to the `events` table, always inside the caller's transaction, so a
/// state change and the events it causes are committed together or not at all.
package struct EventStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let insert = """
            INSERT INTO events (type, aggregate_type, aggregate_id, payload, dedup_key)
            VALUES ($1, $2, $3, $4::jsonb, $5)
            """
        static let append =
            insert + """

                ON CONFLICT (dedup_key) DO NOTHING
                RETURNING seq
                """
        static let caused = """
            SELECT id::text AS id, type, aggregate_id, payload::text AS payload,
                   to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
            FROM events
            WHERE payload->>'stripe_event_id' = $1
               OR aggregate_id IN (SELECT id::text FROM payments WHERE provider_payment_id = $2)
            ORDER BY seq
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
    }

    /// The domain events a provider event caused: those naming it, and those of the payment
    /// the provider knows as `providerObject`.
    package func caused(byProviderEvent eventKey: String, providerObject: String?) throws -> [Stored] {
        try connection.query(SQL.caused, [eventKey, providerObject]).rows.map { row in
            Stored(
                id: try row.requiredString("id"), type: try row.requiredString("type"),
                aggregateID: try row.requiredString("aggregate_id"),
                payload: (try? JSONCoding.decode(JSONValue.self, from: Array(try row.requiredString("payload").utf8)))
                    ?? .null,
                createdAt: try row.requiredString("created_at"))
        }
    }

    /// Appends `event`; returns false when an event with the same dedup key already exists. Where
    /// the transaction defers writes, the insert goes with its next statement (`PGConnection.insertOnce`).
    @discardableResult
    package func append(_ event: DomainEvent) throws -> Bool {
        guard connection.inTransaction else {
            throw StoreError(.notInTransaction, detail: "events are appended inside the transaction that changes state")
        }
        let values: [(any SQLParameter)?] = [
            event.type.rawValue, event.aggregateType.rawValue, event.aggregateID, event.payload, event.dedupKey,
        ]
        guard try connection.insertOnce(SQL.insert, orSkip: SQL.append, values) else { return false }
        // A following relay wakes at once; polling finds the event anyway if the hint is lost.
        connection.notifyAfterCommit("events")
        return true
    }
}
