import Core
import Testing

@Suite struct StoreTests {
    @Test func parametersAndNullsRoundTrip() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        let row = try #require(
            try connection.query(
                "SELECT $1::text AS a, $2::bigint AS b, $3::boolean AS c, $4::text AS d, $5::text AS e",
                ["O'Reilly; DROP TABLE x; --", Int64.max, true, nil, "ünïcødé"]
            ).first)
        #expect(try row.string("a") == "O'Reilly; DROP TABLE x; --")
        #expect(try row.int("b") == Int64.max)
        #expect(try row.bool("c") == true)
        #expect(try row.string("d") == nil)
        #expect(try row.string("e") == "ünïcødé")
        #expect(throws: StoreError.self) { try row.string("missing") }
    }

    /// A list of ids travels as one text array, each element whole whatever it holds.
    @Test func textArraysKeepEachElementWhole() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        let ids = ["a,b", #"quote " and \ backslash"#, "{brace}", "", "NULL"]
        let row = try #require(
            try connection.query(
                "SELECT cardinality($1::text[]) AS n, array_to_json($1::text[])::text AS items", [ids]
            ).first)
        #expect(try row.int("n") == 5)
        #expect(try JSONCoding.decode([String].self, from: Array(try row.requiredString("items").utf8)) == ids)
        #expect(try connection.query("SELECT cardinality($1::text[]) AS n", [[String]()]).first?.int("n") == 0)
    }

    @Test func errorsCarrySQLState() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        try connection.query("CREATE TABLE t (k text PRIMARY KEY)")
        try connection.query("INSERT INTO t VALUES ($1)", ["dup-key-value-xyz"])
        let error = try #require(throws: StoreError.self) {
            try connection.query("INSERT INTO t VALUES ($1)", ["dup-key-value-xyz"])
        }
        #expect(error.sqlState == .uniqueViolation)
        #expect(error.kind == .statementFailed)
        #expect(!error.description.contains("dup-key-value-xyz"), "description stays generic")
        #expect(!error.detail.contains("dup-key-value-xyz"), "detail has the primary message only, never the values")
        let missing = try #require(throws: StoreError.self) { try connection.query("SELECT * FROM nowhere") }
        #expect(missing.kind == .schemaOutdated)
    }

    @Test func transactionRollsBackOnError() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        try connection.query("CREATE TABLE t (k text PRIMARY KEY)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.query("INSERT INTO t VALUES ('x')")
                throw Abort()
            }
        }
        #expect(try connection.query("SELECT k FROM t").count == 0)
        #expect(!connection.inTransaction)
    }

    @Test func serializationFailureRetriesTheWholeTransaction() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        try connection.query("CREATE TABLE t (n int)")
        var attempts = 0
        try connection.transaction {
            attempts += 1
            try connection.query("INSERT INTO t VALUES ($1)", [attempts])
            if attempts < 3 {
                try connection.query(
                    "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$")
            }
        }
        #expect(attempts == 3)
        #expect(try connection.query("SELECT n FROM t").rows.map { try $0.int("n") } == [3])
    }

    @Test func retriesStopAtTheLimit() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        var attempts = 0
        let error = try #require(throws: StoreError.self) {
            try connection.transaction(attempts: 2) {
                attempts += 1
                try connection.query(
                    "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$")
            }
        }
        #expect(attempts == 2)
        #expect(error.sqlState == .deadlockDetected)
    }

    @Test func unreachableDatabaseIsUnavailable() throws {
        let error = try #require(throws: StoreError.self) { try PGConnection(url: TestDatabase.unreachableURL) }
        #expect(error.kind == .unavailable)
    }

    @Test func lostConnectionIsUnavailableAndReconnects() throws {
        let url = try TestDatabase.fresh(migrated: false)
        let database = Database(url: url, applicationName: "store-test")
        let first = try database.connection()
        let pid = try #require(try first.query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
        try PGConnection(url: url).query("SELECT pg_terminate_backend($1::int)", [pid])
        let error = try #require(throws: StoreError.self) { try first.query("SELECT 1") }
        #expect(error.kind == .unavailable)
        let second = try database.connection()
        #expect(second !== first)
        #expect(try second.query("SELECT 1 AS one").first?.int("one") == 1)
    }

    @Test func eventsAreAppendedOnlyInsideATransaction() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh())
        let events = EventStore(connection: connection)
        let event = DomainEvent(
            type: .bookingPaid, aggregateType: .payment, aggregateID: "p1",
            payload: ["amount_minor": 59_900, "currency": "RUB"], dedupKey: "booking_paid:p1")
        let error = try #require(throws: StoreError.self) { try events.append(event) }
        #expect(error.kind == .notInTransaction)
        #expect(try connection.transaction { try events.append(event) })
        #expect(try !connection.transaction { try events.append(event) }, "same dedup key is kept once")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                try events.append(
                    DomainEvent(type: .paymentFailed, aggregateType: .payment, aggregateID: "p2", payload: [:]))
                throw Abort()
            }
        }
        let rows = try connection.query("SELECT type, payload->>'amount_minor' AS amount FROM events").rows
        #expect(rows.count == 1)
        #expect(try rows.first?.string("amount") == "59900")
    }
}
