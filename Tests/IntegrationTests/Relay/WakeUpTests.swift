import Core
import Foundation
import Testing

/// The relay's wake-up: `NOTIFY events` after a transaction that wrote an event has committed,
/// never for one that rolled back, and no trigger holding the notify lock through commits.
@Suite struct WakeUpTests {
    static func event(_ key: String) -> DomainEvent {
        DomainEvent(
            type: .bookingPaid, aggregateType: .payment, aggregateID: key, payload: .object([:]), dedupKey: key)
    }

    @Test func aCommittedEventWakesAListenerAndARolledBackOneDoesNot() throws {
        let url = try TestDatabase.fresh()
        let listener = try PGConnection(url: url)
        try listener.query("LISTEN events")
        let writer = try PGConnection(url: url, preparesStatements: true)

        #expect(
            throws: StoreError.self,
            performing: {
                try writer.transaction {
                    try EventStore(connection: writer).append(Self.event("rolled-back"))
                    throw StoreError(.unexpectedResult, detail: "roll back")
                }
            })
        #expect(try !listener.waitForNotification(timeoutMilliseconds: 300))

        try writer.transaction { try EventStore(connection: writer).append(Self.event("kept")) }
        #expect(try listener.waitForNotification(timeoutMilliseconds: 2_000))

        try writer.transaction { try EventStore(connection: writer).append(Self.event("kept")) }
        #expect(try !listener.waitForNotification(timeoutMilliseconds: 300), "a repeated event wrote nothing")
        #expect(
            try writer.query("SELECT count(*) AS count FROM pg_trigger WHERE tgname = 'events_notify'").first?.int(
                "count") == 0)
    }
}
