import Core
import Foundation
import Logging
import Testing

/// Named prepared statements on long-lived connections: prepared once per SQL text, kept across
/// rollbacks, prepared again after a reconnect; unnamed statements everywhere else.
@Suite struct PreparedStatementTests {
    static let byID = "SELECT id FROM payments WHERE id = $1::uuid"
    static let byStatus = "SELECT count(*) AS count FROM payments WHERE status = $1"

    /// The statements this connection has prepared (a query without parameters is never prepared).
    static func prepared(on connection: PGConnection) throws -> [String] {
        try connection.query("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time").rows.map {
            try $0.requiredString("statement")
        }
    }

    @Test func eachStatementIsPreparedOnceAndKeptAcrossRollbacks() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(), preparesStatements: true)
        for _ in 0..<3 { try connection.query(Self.byID, [UUID()]) }
        #expect(try Self.prepared(on: connection) == [Self.byID])
        #expect(
            throws: StoreError.self,
            performing: {
                try connection.transaction {
                    try connection.query(Self.byStatus, ["pending"])
                    throw StoreError(.unexpectedResult, detail: "roll back")
                }
            })
        #expect(try Self.prepared(on: connection) == [Self.byID, Self.byStatus])
        #expect(try connection.query(Self.byStatus, ["pending"]).first?.int("count") == 0)

        let unnamed = try PGConnection(url: try TestDatabase.fresh())
        try unnamed.query(Self.byID, [UUID()])
        #expect(try Self.prepared(on: unnamed).isEmpty)
    }

    @Test func aReconnectPreparesAgain() throws {
        let url = try TestDatabase.fresh()
        let database = Database(url: url, applicationName: "prepared-test", preparesStatements: true)
        try database.connection().query(Self.byID, [UUID()])
        let pid = try #require(try database.connection().query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
        try PGConnection(url: url).query("SELECT pg_terminate_backend($1)", [Int(pid)])
        #expect(throws: StoreError.self) { try database.connection().query(Self.byID, [UUID()]) }
        let fresh = try database.connection()
        #expect(try fresh.query(Self.byID, [UUID()]).count == 0)
        #expect(try Self.prepared(on: fresh) == [Self.byID])
    }

    @Test func longLivedFunctionsPrepareUnlessToldNotTo() throws {
        let url = try TestDatabase.fresh()
        func prepares(longLived: Bool, setting: String?) throws -> Bool {
            var environment = ["DATABASE_URL": url]
            environment["DATABASE_PREPARED_STATEMENTS"] = setting
            let context = FunctionContext(
                name: "prepared-test", config: Config(environment: environment), logger: Logger(label: "test"),
                longLived: longLived)
            let connection = try context.store().connection()
            try connection.query(Self.byID, [UUID()])
            return try !Self.prepared(on: connection).isEmpty
        }
        #expect(try prepares(longLived: true, setting: nil))
        #expect(try !prepares(longLived: true, setting: "false"), "for pgbouncer in transaction mode")
        #expect(try !prepares(longLived: false, setting: nil))
        #expect(try prepares(longLived: false, setting: "true"))
    }
}

/// `BEGIN` travels with a transaction's first statement, deferred writes with the next statement or
/// the `COMMIT`: a round trip per statement whose answer is read, and one to commit.
@Suite struct RoundTripTests {
    static func connections() throws -> [PGConnection] {
        let url = try TestDatabase.fresh()
        return [try PGConnection(url: url), try PGConnection(url: url, preparesStatements: true)]
    }

    @Test func aTransactionCostsARoundTripPerStatementAndOneToCommit() throws {
        for connection in try Self.connections() {
            let scope = UUID().uuidString
            func insertAndCount() throws -> Int64 {
                try connection.transaction { () throws -> Int64 in
                    try connection.query(
                        """
                        INSERT INTO idempotency_keys (scope, key, fingerprint, state, owner, locked_until, expires_at)
                        VALUES ($1, $2, 'f', 'in_flight', gen_random_uuid(), now(), now())
                        """, [scope, UUID().uuidString])
                    return try connection.query(
                        "SELECT count(*) AS count FROM idempotency_keys WHERE scope = $1", [scope]
                    ).first?.requiredInt("count") ?? 0
                }
            }
            #expect(try insertAndCount() == 1, "the first time also prepares, on a preparing connection")
            let before = connection.roundTrips
            #expect(try insertAndCount() == 2)
            #expect(connection.roundTrips - before == 3, "BEGIN + insert, select, COMMIT")
            #expect(!connection.inTransaction)
            let empty = connection.roundTrips
            try connection.transaction {}
            #expect(connection.roundTrips == empty, "a transaction that ran nothing sends nothing")
        }
    }

    @Test func aFirstStatementThatFailsRollsBackAndLeavesTheConnectionUsable() throws {
        for connection in try Self.connections() {
            #expect(throws: StoreError.self) {
                try connection.transaction { try connection.query("SELECT 1 / $1 AS broken", [0]) }
            }
            #expect(!connection.inTransaction && connection.isOpen)
            #expect(try connection.query("SELECT $1::int + 1 AS next", [1]).first?.int("next") == 2)
            let value = try connection.transaction {
                try connection.query("SELECT $1::int AS one", [1]).first?.int("one")
            }
            #expect(value == 1)
        }
    }

    @Test func deferredWritesGoWithTheNextStatementAndTheCommit() throws {
        for connection in try Self.connections() {
            let scope = UUID().uuidString
            let insert = """
                INSERT INTO idempotency_keys (scope, key, fingerprint, state, owner, locked_until, expires_at)
                VALUES ($1, $2, 'f', 'in_flight', gen_random_uuid(), now(), now())
                """
            let count = "SELECT count(*) AS count FROM idempotency_keys WHERE scope = $1"
            try connection.transaction(defersWrites: true) {
                try connection.send(insert, [scope, "warm-up"])
                _ = try connection.query(count, [scope])
            }
            let before = connection.roundTrips
            let seen = try connection.transaction(defersWrites: true) { () throws -> Int64? in
                try connection.send(insert, [scope, "a"])
                try connection.send(insert, [scope, "b"])
                let seen = try connection.query(count, [scope]).first?.int("count")
                try connection.send(insert, [scope, "c"])
                return seen
            }
            #expect(seen == 3, "the next statement sees the writes sent before it")
            #expect(connection.roundTrips - before == 2, "BEGIN + two writes + select, one write + COMMIT")
            #expect(try connection.query(count, [scope]).first?.int("count") == 4)
        }
    }

    @Test func aDeferredInsertWhoseKeyIsTakenRunsTheTransactionAgainAnsweredAtOnce() throws {
        for connection in try Self.connections() {
            let event = DomainEvent(
                type: .dealPaid, aggregateType: .payment, aggregateID: UUID().uuidString, payload: .object([:]),
                dedupKey: "deal_paid:\(UUID())")
            var runs: [[Bool]] = []
            try connection.transaction(defersWrites: true) {
                let events = EventStore(connection: connection)
                runs.append([try events.append(event), try events.append(event)])
            }
            #expect(runs == [[true, true], [true, false]], "the second run learns the key was taken")
            #expect(
                try connection.query("SELECT count(*) AS count FROM events WHERE dedup_key = $1", [event.dedupKey])
                    .first?.int("count") == 1)

            var attempts = 0
            #expect(throws: StoreError.self) {
                try connection.transaction(defersWrites: true) {
                    attempts += 1
                    try connection.send(
                        "INSERT INTO events (type, aggregate_type, aggregate_id) VALUES ($1, 'x', 'y')",
                        [
                            "broken"
                        ])
                }
            }
            #expect(attempts == 1, "a write that fails otherwise fails the transaction, not run again")
            #expect(!connection.inTransaction && connection.isOpen)
            #expect(try connection.query("SELECT $1::int AS one", [1]).first?.int("one") == 1)
        }
    }
}
