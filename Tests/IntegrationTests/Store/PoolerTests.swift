import Core
import Foundation
import Logging
import Testing

/// Past one machine: processes that prepare their statements, reaching PostgreSQL through a real
/// PgBouncer in transaction mode (`scripts/pooler`, one server connection a database here, so
/// every client shares it). Named statements there once collided (`prepared statement "payfn_1"
/// already exists`) or, where parameter counts agreed, could run another process's SQL.
@Suite struct PoolerTests {
    /// A new test database, and its URL through the pooler `scripts/test` starts.
    static func pooledDatabase() throws -> (direct: String, pooled: String) {
        let direct = try TestDatabase.fresh()
        let port = try #require(
            ProcessInfo.processInfo.environment["PAYFN_POOLER_PORT"],
            "PAYFN_POOLER_PORT is not set: run the tests with scripts/test, which starts PgBouncer")
        let name = try #require(direct.split(separator: "?").first?.split(separator: "/").last)
        return (direct, "postgresql://postgres@127.0.0.1:\(port)/\(name)?application_name=pooler-test")
    }

    @Test func processesThatPrepareShareAPooledServerConnectionSafely() throws {
        let (direct, pooled) = try Self.pooledDatabase()
        let first = try PGConnection(url: pooled, preparesStatements: true)
        let second = try PGConnection(url: pooled, preparesStatements: true)
        #expect(first.isPooled && second.isPooled, "the pooler is seen")
        #expect(!(try PGConnection(url: direct, preparesStatements: true)).isPooled, "a direct connection is not")
        // Each asks its own statements in turn, on the one server connection the pool lends both.
        for round in 0..<20 {
            let number = try first.query("SELECT $1::int + 1 AS v", [round]).first?.requiredInt("v")
            let text = try second.query("SELECT $1::text || '-b' AS v", ["r\(round)"]).first?.requiredString("v")
            #expect(number == Int64(round + 1) && text == "r\(round)-b")
            let both = try second.query("SELECT $1::int * $2::int AS v", [round, 2]).first?.requiredInt("v")
            #expect(both == Int64(round * 2))
        }
        // Inside transactions too, as the functions run them.
        try first.transaction { _ = try first.query("SELECT $1::text AS v", ["in a transaction"]) }
        try second.transaction { _ = try second.query("SELECT $1::int AS v", [7]) }
    }

    @Test func aWarmFunctionsStoreBehindThePoolerPreparesNothingAndAnswers() throws {
        let (_, pooled) = try Self.pooledDatabase()
        let context = FunctionContext(
            name: "get-payment", config: Config(environment: ["DATABASE_URL": pooled]),
            logger: Logger(label: "pooler"), longLived: true)
        let store = try context.store()
        let connection = try store.connection()
        #expect(connection.isPooled)
        for _ in 0..<5 { _ = try PaymentStore(connection: connection).find(id: UUID()) }
        let other = try PGConnection(url: pooled, preparesStatements: true)
        for _ in 0..<5 { _ = try other.query("SELECT count(*) AS n FROM payments WHERE status = $1", ["pending"]) }
    }

    @Test func payctlCheckCountsTheConnectionBudgetAndSaysWhenAPoolerStandsBetween() throws {
        let (direct, pooled) = try Self.pooledDatabase()
        // Connections held open while it counts, so the share in use is more than nothing.
        let held = try (0..<6).map { _ in try PGConnection(url: direct) }
        defer { _ = held }
        for (url, throughPooler) in [(direct, false), (pooled, true)] {
            let result = try Processes.run(
                ["check", "--json", "--threshold", "connections=1:100"], environment: ["DATABASE_URL": url])
            let report = try #require(result.json as? [String: Any], "\(result.stdout) \(result.stderr)")
            #expect(report["through_pooler"] as? Bool == throughPooler)
            let findings = report["findings"] as? [[String: Any]] ?? []
            let connections = try #require(findings.first { $0["check"] as? String == "connections" })
            #expect((connections["value"] as? Int ?? 0) >= 1 && connections["level"] as? String == "warning")
        }
        let human = try Processes.run(["check"], environment: ["DATABASE_URL": pooled])
        #expect(human.stdout.contains("Through a pooler"), "\(human.stdout)")
    }
}
