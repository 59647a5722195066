import Core
import Foundation
import Glibc
import StandIns
import Testing

/// The read functions as long-lived processes: a warm FastCGI responder costs one statement per
/// read, and the same executable serves Lambda's Runtime API.
@Suite struct WarmReadTests {
    /// Statements the database ran for this test's database, counted by pg_stat_statements.
    static func statements(_ world: World) throws -> [(query: String, calls: Int)] {
        let rows = try PGConnection(url: world.databaseURL).query(
            """
            SELECT query, calls FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query NOT LIKE '%pg_stat_statements%'
            """)
        return try rows.rows.map { (try $0.requiredString("query"), Int(try $0.requiredInt("calls"))) }
    }

    @Test(arguments: [
        ("get-payment", "/api/v1/payments/{id}", ""), ("payment-history", "/api/v1/payments/history", "page=1"),
    ])
    func aWarmReadCostsOneStatement(_ function: String, _ route: String, _ query: String) throws {
        let world = try World()
        let (local, _) = try world.createBooking("apt-warm", caller: "alice")
        let path = route.replacingOccurrences(of: "{id}", with: local)
        let setup = try PGConnection(url: world.databaseURL)
        try setup.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        // Test databases are not tracked (so the other tests' statements never evict these); this one is.
        try setup.query(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET pg_stat_statements.track = top', current_database()); END $$"
        )
        let warm = try WarmFunction(
            function, environment: world.environment.merging(["TRUSTED_USER_HEADER": "X-User-Id"]) { _, new in new })
        let params = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": path + "?" + query,
            "QUERY_STRING": query, "REMOTE_ADDR": "127.0.0.1", "HTTP_X_USER_ID": "alice",
        ]
        let client = try FastCGIClient(path: warm.socket)
        defer { client.close() }
        client.send(FastCGIClient.request(id: 1, params: params, body: [], keep: true))
        #expect(try client.answer(id: 1).hasPrefix("Status: 200 OK\r\n"), "the first read connects")
        // This database's counts only: the other test case, running at the same time, counts its own.
        try setup.query(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)")
        for id in UInt16(2)...11 {
            client.send(FastCGIClient.request(id: id, params: params, body: [], keep: true))
            let answer = try client.answer(id: id)
            #expect(answer.hasPrefix("Status: 200 OK\r\n"))
            #expect(answer.contains(local))
        }
        let ran = try Self.statements(world)
        #expect(ran.map(\.calls).reduce(0, +) == 10, "one statement per read: \(ran)")
        #expect(ran.allSatisfy { $0.query.contains("FROM payments") })
    }

    @Test func theReadFunctionsServeLambdasRuntimeAPI() throws {
        let world = try World()
        let (local, _) = try world.createBooking("apt-lambda", caller: "alice")
        func event(_ path: String, caller: String?) -> [UInt8] {
            var context: [String: Any] = [
                "requestId": "lambda-read", "http": ["method": "GET", "sourceIp": "203.0.113.7"],
            ]
            if let caller { context["authorizer"] = ["jwt": ["claims": ["sub": caller]]] }
            let event: [String: Any] = [
                "version": "2.0", "rawPath": path, "headers": [:] as [String: String], "isBase64Encoded": false,
                "requestContext": context,
            ]
            return Array(try! JSONSerialization.data(withJSONObject: event))
        }
        let cases: [(function: String, path: String, caller: String?, status: Int)] = [
            ("get-payment", "/api/v1/payments/\(local)", "alice", 200),
            ("get-payment", "/api/v1/payments/\(local)", "bob", 404),
            ("payment-history", "/api/v1/payments/history", "alice", 200),
            ("payment-history", "/api/v1/payments/history", nil, 401),
            ("get-purchase", "/api/v1/purchase/none", nil, 404),
            ("plans", "/plans", nil, 200),
            ("health", "/health", nil, 200),
        ]
        for (function, path, caller, status) in cases {
            // A Runtime API of its own each time: a killed process's pending `next` would take the event.
            let runtimeAPI = LambdaRuntimeStandIn()
            let server = try LoopbackServer(handler: runtimeAPI.handle)
            defer { server.stop() }
            let id = runtimeAPI.enqueue(event(path, caller: caller))
            let process = try Processes.spawn(
                function,
                environment: world.environment.merging(["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(server.port)"]) {
                    _, new in new
                })
            defer {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            #expect(runtimeAPI.waitForResults(1, seconds: 20))
            let answer = try JSONDecoder().decode(
                GatewayAnswer.self, from: Data(try #require(runtimeAPI.responses[id])))
            #expect(answer.statusCode == status, "\(function) \(caller ?? "anonymous"): \(answer.body)")
        }
    }
}
