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
