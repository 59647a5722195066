import Core
import Foundation
import Logging
import Testing

@Suite struct RuntimeTests {
    static func echo(_ context: FunctionContext) -> any Handler {
        ClosureHandler { request, _ in .json(200, ["echo": String(decoding: request.body, as: UTF8.self)]) }
    }

    @Test func answersWithRequestIDAndLogsOneLine() throws {
        let invocation = Invocation.v2(body: "hi")
        let answer = try invocation.run(makeHandler: Self.echo)
        #expect(answer.statusCode == 200)
        #expect(answer.body == #"{"echo":"hi"}"#)
        #expect(answer.headers["X-Request-Id"] == "req-test")
        let line = try #require(invocation.sink.lines.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "request completed")
        #expect(object["function"] as? String == "test-function")
        #expect(object["request_id"] as? String == "req-test")
        #expect(object["status"] as? String == "200")
        #expect(object["level"] as? String == "info")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func wrongMethodGets405() throws {
        let handler: (FunctionContext) throws -> any Handler = { _ in
            ClosureHandler(method: "GET") { _, _ in .json(200, [String: String]()) }
        }
        let answer = try Invocation.v2(body: "").run(makeHandler: handler)
        #expect(answer.statusCode == 405)
        #expect(answer.errorCode == "method_not_allowed")
        #expect(answer.headers["Allow"] == "GET")
    }

    /// A scheduled function answers a timer's tick only; an HTTP function never takes a tick.
    @Test func ticksAndRequestsGoWhereTheyBelong() throws {
        struct Tick: ScheduledHandler {
            func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse { .json(200, ["ticked": "yes"]) }
        }
        let scheduled: (FunctionContext) throws -> any Handler = { _ in Tick() }
        var tick = BytesSource(Array("{}".utf8))
        let ticked = FunctionMain.invoke(
            name: "tick", environment: [:], input: &tick, sink: MemorySink(), makeHandler: scheduled)
        #expect(ticked == Array(#"{"ticked":"yes"}"#.utf8))

        let request = try Invocation.v2(body: "{}").run(makeHandler: scheduled)
        #expect(request.statusCode == 405 && request.errorCode == "method_not_allowed", "\(request.body)")

        var wrongTick = BytesSource(Array("{}".utf8))
        let http = FunctionMain.invoke(
            name: "echo", environment: [:], input: &wrongTick, sink: MemorySink(), makeHandler: Self.echo)
        #expect(String(decoding: http, as: UTF8.self).contains("method_not_allowed"))
    }

    @Test func missingConfigurationIsNamedNeverValued() throws {
        let needsSecret: (FunctionContext) throws -> any Handler = { context in
            _ = try context.config.required("YOOKASSA_SECRET_KEY")
            return ClosureHandler { _, _ in .json(200, [String: String]()) }
        }
        let invocation = Invocation.v2(body: "{}", environment: ["YOOKASSA_SHOP_ID": "shop-123456"])
        let answer = try invocation.run(makeHandler: needsSecret)
        #expect(answer.statusCode == 500)
        #expect(answer.errorCode == "configuration_error")
        #expect(answer.errorMessage?.contains("YOOKASSA_SECRET_KEY") == true)
        let log = invocation.sink.lines.joined(separator: "\n")
        #expect(log.contains(#""variable":"YOOKASSA_SECRET_KEY""#))
        #expect(log.contains("set YOOKASSA_SECRET_KEY"))
    }

    @Test(arguments: [
        ["LOG_LEVEL": "loud"], ["MAX_BODY_BYTES": "lots"], ["MAX_BODY_BYTES": "3"],
    ])
    func malformedConfigurationIsRefused(_ environment: [String: String]) throws {
        let answer = try Invocation.v2(body: "{}", environment: environment).run(makeHandler: Self.echo)
        #expect(answer.statusCode == 500)
        #expect(answer.errorCode == "configuration_error")
        #expect(answer.errorMessage?.contains(environment.keys.first!) == true)
        #expect(answer.errorMessage?.contains(environment.values.first!) == false)
    }

    @Test func databaseDownGets503() throws {
        let needsDatabase: (FunctionContext) throws -> any Handler = { context in
            let database = try context.store()
            return ClosureHandler { _, _ in
                _ = try database.connection()
                return .json(200, [String: String]())
            }
        }
        let invocation = Invocation.v2(body: "{}", environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        let answer = try invocation.run(makeHandler: needsDatabase)
        #expect(answer.statusCode == 503)
        #expect(answer.errorCode == "database_unavailable")
        #expect(answer.headers["Retry-After"] != nil)
        #expect(invocation.sink.lines.contains { $0.contains(#""message":"database error""#) })
    }

    @Test func outdatedSchemaIsSaidClearly() throws {
        let url = try TestDatabase.fresh(migrated: false)
        let readsPayments: (FunctionContext) throws -> any Handler = { context in
            let database = try context.store()
            return ClosureHandler { _, _ in
                try database.connection().query("SELECT id FROM payments LIMIT 1")
                return .json(200, [String: String]())
            }
        }
        let answer = try Invocation.v2(body: "{}", environment: ["DATABASE_URL": url]).run(makeHandler: readsPayments)
        #expect(answer.statusCode == 500)
        #expect(answer.errorCode == "schema_outdated")
        #expect(answer.errorMessage?.contains("payctl migrate") == true)
    }

    @Test func unexpectedErrorsNeverLeakTheirText() throws {
        struct Secretive: Error, CustomStringConvertible { var description: String { "password=hunter2hunter2" } }
        let failing: (FunctionContext) throws -> any Handler = { _ in ClosureHandler { _, _ in throw Secretive() } }
        let invocation = Invocation.v2(body: "{}")
        let answer = try invocation.run(makeHandler: failing)
        #expect(answer.statusCode == 500)
        #expect(answer.errorCode == "internal_error")
        #expect(!answer.body.contains("hunter2"))
        #expect(!invocation.sink.lines.joined().contains("hunter2"))
    }

    @Test func malformedEnvelopeAnswersInErrorShape() throws {
        var invocation = Invocation()
        invocation.stdin = Array("{oops".utf8)
        let answer = try invocation.run(makeHandler: Self.echo)
        #expect(answer.statusCode == 400)
        #expect(answer.errorCode == "malformed_event")
        #expect(answer.headers["X-Request-Id"] != nil)
        #expect(invocation.sink.lines.contains { $0.contains("request refused") })
    }

    @Test func cgiInvocationEndToEnd() throws {
        let body = Array("ping".utf8)
        var input = BytesSource(body)
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/echo",
            "CONTENT_LENGTH": "4", "REMOTE_ADDR": "127.0.0.1",
        ]
        let output = FunctionMain.invoke(
            name: "echo", environment: environment, input: &input, sink: MemorySink(), makeHandler: Self.echo)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n"))
        #expect(text.hasSuffix("\r\n\r\n{\"echo\":\"ping\"}"))
    }
}
