import Core
import Foundation
import Logging
import Testing

/// Round three, finding 7: `/health` had no rate limit, and each request cost a process, a
/// connection and a query from the pool the webhooks share.
@Suite struct HealthRedTeamTests {
    @Test func finding7_aFloodOfHealthChecksIsLimitedAndCachedByTheShippedNginxConfig() throws {
        let gateway = try GatewayTests.Gateway()
        let port = try #require(URL(string: gateway.url)?.port.flatMap { UInt16(exactly: $0) })
        let answers = try GatewayTests.burst(
            200, port: port, request: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(answers.contains { $0.status == 429 }, "statuses: \(Set(answers.map(\.status)))")
        #expect(answers.allSatisfy { $0.status == 429 || $0.status == 200 })
        #expect(
            answers.contains { $0.status == 200 && $0.headers["x-cache-status"] == "HIT" },
            "answered from nginx's one-second cache, not a process each")
    }

    @Test func finding7_aWarmHealthProcessAsksTheDatabaseAtMostOnceASecond() throws {
        let url = try TestDatabase.fresh()
        let handler = HealthHandler(database: Database(url: url, applicationName: "health"))
        let logger = Logger(label: "health")
        let request = HTTPRequest(method: "GET", path: "/health", requestID: "req-health")
        #expect(try handler.handle(request, logger: logger).status == 200)

        try PGConnection(url: url).query("DELETE FROM schema_migrations WHERE version = \(Migration.latestVersion)")
        #expect(try handler.handle(request, logger: logger).status == 200, "answered from the last second's check")
        usleep(1_100_000)
        #expect(try handler.handle(request, logger: logger).status == 503, "asked again after a second")
    }
}
