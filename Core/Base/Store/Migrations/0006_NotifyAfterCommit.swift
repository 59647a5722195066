extension Migration {
    /// The relay's wake-up no longer comes from a trigger: a `NOTIFY` inside the inserting
    /// transaction holds PostgreSQL's notify lock through that transaction's commit, so every
    /// transaction that wrote an event committed one at a time. `EventStore` now has the
    /// connection send `NOTIFY events` after its `COMMIT`, in the same round trip.
    static let notifyAfterCommit = Migration(
        version: 6, name: "notify after commit",
        sql: #"""
            DROP TRIGGER IF EXISTS events_notify ON events;
            DROP FUNCTION IF EXISTS events_notify();
            """#)
}
