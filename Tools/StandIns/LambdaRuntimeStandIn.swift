import Core
import Foundation

/// A loopback stand-in for the AWS Lambda Runtime API: hands out queued events on
/// `GET /2018-06-01/runtime/invocation/next` (holding the request until one is queued, as Lambda
/// does) and records what comes back on `…/{id}/response` and `…/{id}/error`, with the times
/// Lambda bills: when the function first asked for an event (the end of its init) and how long
/// each invocation took from handing out its event to its answer.
///
/// Control, for benchmarks: `POST /_control/invoke` with an event as the body queues it and
/// answers, once the function has, `{"request_id", "outcome": "response"|"error",
/// "duration_ms", "body"}`; `GET /_control/init` answers `{"first_next_at"}` (Unix seconds) once
/// the function has asked for its first event (404 before); `POST /_control/reset` forgets
/// everything, for the next process.
package final class LambdaRuntimeStandIn: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(id: String, body: [UInt8])] = []
    private var responseBodies: [String: [UInt8]] = [:]
    private var errorReports: [String: (type: String?, body: [UInt8])] = [:]
    /// When the function first asked for an event.
    private var firstNextAt: Date?
    /// When each event was handed out, and how long its invocation took in milliseconds.
    private var handedOutAt: [String: Date] = [:]
    private var durations: [String: Double] = [:]
    /// Counts resets: a `next` still waiting from a process before the last reset (killed while it
    /// waited) must not take the next process's event.
    private var generation = 0

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
        if request.path.hasPrefix("/_control/") { return control(request) }
        let prefix = "/2018-06-01/runtime/invocation/"
        guard request.path.hasPrefix(prefix) else { return .respond(HTTPResponse(status: 404)) }
        let rest = request.path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        if request.method == "GET", rest == ["next"] {
            let next: (id: String, body: [UInt8])? = condition.withLock {
                if firstNextAt == nil { firstNextAt = Date() }
                let deadline = Date().addingTimeInterval(120)
                let asked = generation
                while queue.isEmpty || asked != generation {
                    if asked != generation || !condition.wait(until: deadline) { return nil }
                }
                let next = queue.removeFirst()
                handedOutAt[next.id] = Date()
                return next
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
            if let handedOut = handedOutAt[rest[0]] { durations[rest[0]] = Date().timeIntervalSince(handedOut) * 1_000 }
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

    private func control(_ request: ServerRequest) -> ServerAction {
        switch (request.method, request.path) {
        case ("POST", "/_control/invoke"):
            let id = enqueue(request.body)
            let answered: [String: Any]? = condition.withLock {
                let deadline = Date().addingTimeInterval(60)
                while responseBodies[id] == nil && errorReports[id] == nil {
                    if !condition.wait(until: deadline) { return nil }
                }
                let body = responseBodies[id] ?? errorReports[id]?.body ?? []
                return [
                    "request_id": id, "outcome": responseBodies[id] == nil ? "error" : "response",
                    "duration_ms": durations[id] ?? 0, "body": String(decoding: body, as: UTF8.self),
                ]
            }
            guard let answered else { return .respond(HTTPResponse(status: 504)) }
            return JSONAnswer.ok(answered)
        case ("GET", "/_control/init"):
            guard let first = condition.withLock({ firstNextAt }) else { return .respond(HTTPResponse(status: 404)) }
            return JSONAnswer.ok(["first_next_at": first.timeIntervalSince1970])
        case ("POST", "/_control/reset"):
            condition.withLock {
                queue.removeAll()
                responseBodies.removeAll()
                errorReports.removeAll()
                handedOutAt.removeAll()
                durations.removeAll()
                firstNextAt = nil
                generation += 1
                condition.broadcast()
            }
            return JSONAnswer.ok(["reset": true])
        default:
            return .respond(HTTPResponse(status: 404))
        }
    }
}
