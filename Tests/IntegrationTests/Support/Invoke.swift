import Core
import Foundation
import Logging

/// A handler assembled from a closure, for exercising the runtime.
struct ClosureHandler: Handler {
    var method: HTTPMethod = .post
    let body: (HTTPRequest, Logger) throws -> HTTPResponse

    func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse { try body(request, logger) }
}

/// One whole invocation as a gateway makes it, with the log captured.
struct Invocation {
    var environment: [String: String] = [:]
    var stdin: [UInt8] = []
    let sink = MemorySink()

    /// A v2 event carrying `body` to `path`, from `caller` as a JWT authorizer names it.
    static func v2(
        body: String, path: String = "/test", headers: [String: String] = [:], sourceIP: String = "127.0.0.1",
        caller: String? = nil, environment: [String: String] = [:]
    ) -> Invocation {
        var context: [String: Any] = [
            "requestId": "req-test", "http": ["method": "POST", "path": path, "sourceIp": sourceIP],
        ]
        if let caller { context["authorizer"] = ["jwt": ["claims": ["sub": caller]]] }
        let event: [String: Any] = [
            "version": "2.0", "rawPath": path, "headers": headers, "body": body, "isBase64Encoded": false,
            "requestContext": context,
        ]
        let data = try! JSONSerialization.data(withJSONObject: event)
        return Invocation(environment: environment, stdin: Array(data))
    }

    /// Runs it and decodes the v1/v2 answer.
    func run(
        name: String = "test-function", makeHandler: (FunctionContext) throws -> any Handler
    ) throws -> GatewayAnswer {
        var input = BytesSource(stdin)
        let output = FunctionMain.invoke(
            name: name, environment: environment, input: &input, sink: sink, makeHandler: makeHandler)
        return try JSONDecoder().decode(GatewayAnswer.self, from: Data(output))
    }
}

/// The `{"statusCode","headers","body","isBase64Encoded"}` answer of an API Gateway event.
struct GatewayAnswer: Decodable {
    let statusCode: Int
    let headers: [String: String]
    let body: String
    let isBase64Encoded: Bool

    /// `error.code` of an error body.
    var errorCode: String? { errorField("code") }
    var errorMessage: String? { errorField("message") }

    private func errorField(_ name: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error[name] as? String
    }
}
