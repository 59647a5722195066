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
