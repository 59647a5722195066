import Core
import Foundation
import StandIns
import Testing

/// The function executable as its own Lambda `bootstrap`, against a Runtime API on loopback.
@Suite struct LambdaBootstrapTests {
    static func event(_ body: String, requestID: String) -> [UInt8] {
        let event: [String: Any] = [
            "version": "2.0", "rawPath": "/api/v1/purchase/invoice", "headers": ["content-type": "application/json"],
            "body": body,
            "isBase64Encoded": false,
            "requestContext": ["requestId": requestID, "http": ["method": "POST", "sourceIp": "203.0.113.7"]],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: event))
    }

    @Test func oneProcessServesManyInvocationsOnOneConnection() throws {
        let world = try World()
        let runtimeAPI = LambdaRuntimeStandIn()
        let server = try LoopbackServer(handler: runtimeAPI.handle)
        defer { server.stop() }
        let first = runtimeAPI.enqueue(Self.event(#"{"user_id":1,"item_id":"hint-pack"}"#, requestID: "api-1"))
        let process = try Processes.spawn(
            "stars-invoice",
            environment: world.environment.merging([
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(server.port)", "CATALOG_PATH": Repo.path("catalog.json"),
            ]) { _, new in new })
        // As Lambda ends a sandbox; SIGTERM may be blocked by the mask the test runner passes on.
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        #expect(runtimeAPI.waitForResults(1, seconds: 20))
        let second = runtimeAPI.enqueue(Self.event(#"{"user_id":2,"item_id":"premium-week"}"#, requestID: "api-2"))
        let garbage = runtimeAPI.enqueue(Array("this is not an event".utf8))
        let replay = runtimeAPI.enqueue(Self.event(#"{"user_id":1,"item_id":"hint-pack"}"#, requestID: "api-3"))
        #expect(runtimeAPI.waitForResults(4, seconds: 20))
        #expect(process.isRunning, "the same process is still serving")

        let answers = runtimeAPI.responses
        for (id, status) in [(first, 201), (second, 201), (replay, 200)] {
            let answer = try JSONDecoder().decode(GatewayAnswer.self, from: Data(try #require(answers[id])))
            #expect(answer.statusCode == status, "\(answer.body)")
        }
        let error = try #require(runtimeAPI.errors[garbage])
        #expect(error.type == "Runtime.InvalidEvent")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(error.body)) as? [String: String])
        #expect(report["errorType"] == "InvalidEvent")
        #expect(report["errorMessage"]?.isEmpty == false)
        #expect(answers[garbage] == nil)

        let connections = try PGConnection(url: world.databaseURL).query(
            "SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = 'stars-invoice' AND datname = current_database()"
        )
        #expect(try connections.first?.int("count") == 1, "one warm connection for every invocation")
        #expect(try world.count("SELECT count(*) FROM purchases") == 2)
    }
}
