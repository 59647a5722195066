/// Appends domain events to the `events` table, always inside the caller's transaction, so a
/// state change and the events it causes are committed together or not at all.
public struct EventStore {
    private let connection: PGConnection

    public init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let append = """
            INSERT INTO events (type, aggregate_type, aggregate_id, payload, dedup_key)
            VALUES ($1, $2, $3, $4::jsonb, $5)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING seq
            """
    }

    /// Appends `event`; returns false when an event with the same dedup key already exists.
    @discardableResult
    public func append(_ event: DomainEvent) throws -> Bool {
        guard connection.inTransaction else {
            throw StoreError(.notInTransaction, detail: "events are appended inside the transaction that changes state")
        }
        let result = try connection.query(SQL.append, [
            event.type, event.aggregateType, event.aggregateID, event.payload, event.dedupKey,
        ])
        return result.count == 1
    }
}
