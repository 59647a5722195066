import Core
import Foundation

/// A loopback stand-in for the AWS Lambda Runtime API: hands out queued events on
/// `GET /2018-06-01/runtime/invocation/next` (holding the request until one is queued, as Lambda
/// does) and records what comes back on `…/{id}/response` and `…/{id}/error`.
package final class LambdaRuntimeStandIn: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(id: String, body: [UInt8])] = []
    private var responseBodies: [String: [UInt8]] = [:]
    private var errorReports: [String: (type: String?, body: [UInt8])] = [:]

    package init() {}

    /// Queues an event; returns its request id.
    @discardableResult
    package func enqueue(_ event: [UInt8]) -> String {
        let id = UUID().uuidString.lowercased()
        condition.withLock {
            queue.append((id, event))
            condition.broadcast()
        }
        return id
    }

    /// What the function answered, by request id.
    package var responses: [String: [UInt8]] { condition.withLock { responseBodies } }
    /// What the function reported as errors, by request id: the error type header and the body.
    package var errors: [String: (type: String?, body: [UInt8])] { condition.withLock { errorReports } }

    /// Waits until `count` invocations were answered either way, or `seconds` pass.
    package func waitForResults(_ count: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        return condition.withLock {
            while responseBodies.count + errorReports.count < count {
                if !condition.wait(until: deadline) { return false }
            }
            return true
        }
    }

    package func handle(_ request: ServerRequest) -> ServerAction {
        let prefix = "/2018-06-01/runtime/invocation/"
        guard request.path.hasPrefix(prefix) else { return .respond(HTTPResponse(status: 404)) }
        let rest = request.path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        if request.method == "GET", rest == ["next"] {
            let next: (id: String, body: [UInt8])? = condition.withLock {
                let deadline = Date().addingTimeInterval(120)
                while queue.isEmpty { if !condition.wait(until: deadline) { return nil } }
                return queue.removeFirst()
            }
            guard let next else { return .drop }
            return .respond(
                HTTPResponse(
                    status: 200,
                    headers: HTTPHeaders([
                        ("Lambda-Runtime-Aws-Request-Id", next.id),
                        ("Lambda-Runtime-Deadline-Ms", String(Int(Date().timeIntervalSince1970 * 1000) + 30_000)),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:eu-central-1:123456789012:function:stand-in"
                        ),
                        ("Content-Type", "application/json"),
                    ]), body: next.body))
        }
        guard request.method == "POST", rest.count == 2 else { return .respond(HTTPResponse(status: 404)) }
        condition.withLock {
            if rest[1] == "response" { responseBodies[rest[0]] = request.body }
            if rest[1] == "error" {
                errorReports[rest[0]] = (request.headers["Lambda-Runtime-Function-Error-Type"], request.body)
            }
            condition.broadcast()
        }
        return .respond(
            HTTPResponse(
                status: 202, headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: Array(#"{"status":"OK"}"#.utf8)))
    }
}
