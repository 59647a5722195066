import Base
import Glibc

/// The AWS Lambda Runtime API loop (`/2018-06-01/runtime/invocation/next`, `/response`,
/// `/error`) around the same `FunctionRuntime` the stdin path uses. One process serves many
/// invocations, so the handler is built once and its database connection stays open.
package struct LambdaRuntime {
    private let base: String
    private let http = CurlHTTPClient()

    /// `api` is `AWS_LAMBDA_RUNTIME_API`: `host:port`.
    package init(api: String) { base = "http://\(api)/2018-06-01/runtime" }

    /// Serves invocations until the Runtime API goes away, then exits non-zero.
    package func serve(_ runtime: FunctionRuntime) -> Never {
        while serveOne(runtime) {}
        runtime.context.logger.critical("Lambda Runtime API unreachable; exiting")
        exit(1)
    }

    /// Takes one invocation and answers it; false when the Runtime API cannot be reached.
    @discardableResult
    package func serveOne(_ runtime: FunctionRuntime) -> Bool {
        guard
            let next = try? http.send(
                OutboundRequest(method: "GET", url: "\(base)/invocation/next", timeoutMilliseconds: 0)),
            next.status == 200, let id = next.headers["Lambda-Runtime-Aws-Request-Id"]
        else { return false }
        var input = BytesSource(next.body)
        let reading = Envelope.read(environment: [:], input: &input, bodyLimit: runtime.bodyLimit)
        if case .failure(let error) = reading.result, error.code == "malformed_event" {
            // Not an HTTP event at all: there is no HTTP answer to give, so it is reported as an error.
            runtime.context.logger.error(
                "invocation is not an API Gateway event", metadata: ["aws_request_id": .string(id)])
            let report = JSONLine.object(["errorMessage": error.message, "errorType": "InvalidEvent"] as KeyValuePairs)
            return post("invocation/\(id)/error", report, errorType: "Runtime.InvalidEvent")
        }
        return post("invocation/\(id)/response", runtime.answer(reading))
    }

    private func post(_ path: String, _ body: [UInt8], errorType: String? = nil) -> Bool {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let errorType { headers.add("Lambda-Runtime-Function-Error-Type", errorType) }
        let response = try? http.send(
            OutboundRequest(
                method: "POST", url: "\(base)/\(path)", headers: headers, body: body, timeoutMilliseconds: 10_000))
        return response.map { (200..<300).contains($0.status) } ?? false
    }
}
