import Core
import Foundation

/// A loopback stand-in for the services downstream of the relay: webhook receivers that verify
/// Standard Webhooks signatures, and a user-service that takes subscription updates. It records
/// everything it is sent and can be told to fail, throttle or stall.
///
/// Endpoints:
/// - `POST /hooks/<name>`: a webhook receiver; 204 when the signature verifies with the receiver's
///   secrets, 401 when not.
/// - `POST /api/v1/users/{user_id}/subscription`: the user-service; 200 and a small JSON for a JSON
///   object body, 400 otherwise.
///
/// Control, for scripts and benchmarks (the same as the Swift API below):
/// - `POST /control/fault?prefix=/hooks/a&status=429&retry_after=3&stall_ms=200&times=2`: answer
///   the requests under `prefix` (whole path segments; `/` is everything) with `status` (and
///   `Retry-After`), after `stall_ms`, for the next `times` of them (absent: always).
/// - `POST /control/normal[?prefix=…]`: back to normal answers under `prefix`, or everywhere.
/// - `POST /control/forget`: drop what was recorded.
/// - `GET /received`: a JSON list of everything recorded, oldest first.
package final class DownstreamStandIn: @unchecked Sendable {
    /// The secret every receiver verifies with unless given its own: 32 bytes.
    package static let defaultWebhookSecret = "whsec_c3RhbmQtaW4gZG93bnN0cmVhbSBzaWduaW5nIGtleSE="

    /// The secret of receivers without their own, as configured.
    package let webhookSecret: String
    private let verifier: StandardWebhookVerifier
    private let receiverVerifiers: [String: StandardWebhookVerifier]
    private let condition = NSCondition()
    private var webhooks: [ReceivedWebhook] = []
    private var subscriptions: [SubscriptionCall] = []
    /// By path prefix without a trailing `/` (so `""` is everything).
    private var faults: [String: DownstreamFault] = [:]

    /// - Parameters:
    ///   - webhookSecret: what receivers verify with unless `receiverSecrets` names them.
    ///   - receiverSecrets: the secrets of particular receivers, by name (several while rotating).
    package init(
        webhookSecret: String = defaultWebhookSecret, receiverSecrets: [String: [String]] = [:]
    ) throws(StandardWebhookSecret.Failure) {
        self.webhookSecret = webhookSecret
        verifier = StandardWebhookVerifier(secrets: [try StandardWebhookSecret(webhookSecret)])
        var verifiers: [String: StandardWebhookVerifier] = [:]
        for (name, secrets) in receiverSecrets {
            var parsed: [StandardWebhookSecret] = []
            for secret in secrets { parsed.append(try StandardWebhookSecret(secret)) }
            verifiers[name] = StandardWebhookVerifier(secrets: parsed)
        }
        receiverVerifiers = verifiers
    }

    // MARK: What was received

    /// Every request to a webhook receiver, oldest first.
    package var receivedWebhooks: [ReceivedWebhook] { condition.withLock { webhooks } }

    /// Every call to the user-service, oldest first.
    package var subscriptionCalls: [SubscriptionCall] { condition.withLock { subscriptions } }

    /// Waits until `count` webhook requests were received in all, or `seconds` pass.
    package func waitForWebhooks(_ count: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        return condition.withLock {
            while webhooks.count < count {
                if !condition.wait(until: deadline) { return false }
            }
            return true
        }
    }

    /// Drops what was recorded.
    package func forget() {
        condition.withLock {
            webhooks = []
            subscriptions = []
        }
    }

    // MARK: Faults

    /// Answers the requests under `prefix` (whole path segments; `/` is everything) with `fault`;
    /// the longest matching prefix wins.
    package func setFault(_ fault: DownstreamFault, on prefix: String) {
        condition.withLock { faults[Self.key(prefix)] = fault }
    }

    /// Back to normal answers under `prefix`, or everywhere when nil.
    package func clearFaults(on prefix: String? = nil) {
        condition.withLock {
            if let prefix { faults[Self.key(prefix)] = nil } else { faults = [:] }
        }
    }

    private static func key(_ prefix: String) -> String {
        var key = prefix
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }

    /// The fault for `path`, counting this request against its span.
    private func takeFault(for path: String) -> DownstreamFault? {
        condition.withLock {
            let matching = faults.keys.filter { $0.isEmpty || path == $0 || path.hasPrefix($0 + "/") }
            guard let key = matching.max(by: { $0.count < $1.count }), let fault = faults[key] else { return nil }
            if case .next(let remaining) = fault.span {
                var rest = fault
                rest.span = .next(remaining - 1)
                faults[key] = remaining > 1 ? rest : nil
            }
            return fault
        }
    }

    // MARK: Serving

    package func handle(_ request: ServerRequest) -> ServerAction {
        if request.path.hasPrefix("/control/") { return control(request) }
        if request.path == "/received" {
            guard request.method == "GET" else { return .respond(Self.error(405, "use GET")) }
            return JSONAnswer.ok(received())
        }
        let parts = request.path.split(separator: "/").map(String.init)
        let isHook = parts.count == 2 && parts[0] == "hooks"
        let isSubscription = parts.count == 5 && parts[0...2] == ["api", "v1", "users"] && parts[4] == "subscription"
        guard isHook || isSubscription else { return .respond(Self.error(404, "no such path")) }
        guard request.method == "POST" else { return .respond(Self.error(405, "use POST")) }
        let fault = takeFault(for: request.path)
        let response: HTTPResponse
        if isHook {
            response = receiveWebhook(request, receiver: parts[1], fault: fault)
        } else {
            response = receiveSubscription(request, userID: parts[3].removingPercentEncoding ?? parts[3], fault: fault)
        }
        guard let fault, fault.stallMilliseconds > 0 else { return .respond(response) }
        return .delay(milliseconds: fault.stallMilliseconds, then: response)
    }

    private func receiveWebhook(_ request: ServerRequest, receiver: String, fault: DownstreamFault?) -> HTTPResponse {
        var failure: StandardWebhookVerifier.Failure?
        do {
            try (receiverVerifiers[receiver] ?? verifier).verify(
                headers: request.headers, body: request.body, now: Int64(Date().timeIntervalSince1970))
        } catch {
            failure = error
        }
        let response =
            Self.faultResponse(fault)
            ?? (failure.map { Self.error(401, $0.code) } ?? HTTPResponse(status: 204))
        let received = ReceivedWebhook(
            receiver: receiver, id: request.headers[StandardWebhooks.idHeader],
            timestamp: request.headers[StandardWebhooks.timestampHeader].flatMap { Int64($0) },
            type: JSONAnswer.decodeObject(request.body)?["type"] as? String, body: request.body, failure: failure,
            status: response.status, arrivedAt: Date())
        condition.withLock {
            webhooks.append(received)
            condition.broadcast()
        }
        return response
    }

    private func receiveSubscription(_ request: ServerRequest, userID: String, fault: DownstreamFault?) -> HTTPResponse
    {
        let isObject = JSONAnswer.decodeObject(request.body) != nil
        let response =
            Self.faultResponse(fault)
            ?? (isObject
                ? JSONAnswer.response(["user_id": userID, "subscription": "updated"])
                : Self.error(400, "body must be a JSON object"))
        let call = SubscriptionCall(
            userID: userID, body: request.body, authorization: request.headers["Authorization"],
            idempotencyKey: request.headers["Idempotency-Key"], status: response.status, arrivedAt: Date())
        condition.withLock { subscriptions.append(call) }
        return response
    }

    private func received() -> [[String: Any]] {
        let (hooks, calls) = condition.withLock { (webhooks, subscriptions) }
        let entries = hooks.map { ($0.arrivedAt, $0.json) } + calls.map { ($0.arrivedAt, $0.json) }
        return entries.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private func control(_ request: ServerRequest) -> ServerAction {
        guard request.method == "POST" else { return .respond(Self.error(405, "use POST")) }
        switch request.path {
        case "/control/fault":
            guard let prefix = request.parameter("prefix"), prefix.hasPrefix("/") else {
                return .respond(Self.error(400, "prefix is required and starts with /"))
            }
            guard let fault = DownstreamFault(query: request) else {
                return .respond(
                    Self.error(
                        400,
                        "status (100-599) or stall_ms is required; stall_ms and times are numbers, retry_after at most 128 characters"
                    ))
            }
            setFault(fault, on: prefix)
        case "/control/normal":
            clearFaults(on: request.parameter("prefix"))
        case "/control/forget":
            forget()
        default:
            return .respond(Self.error(404, "no such control"))
        }
        return JSONAnswer.ok(["ok": true])
    }

    private static func faultResponse(_ fault: DownstreamFault?) -> HTTPResponse? {
        guard let status = fault?.status else { return nil }
        var response = JSONAnswer.response(["error": "stand-in fault", "status": status], status: status)
        if let retryAfter = fault?.retryAfter { response.headers.add("Retry-After", retryAfter) }
        return response
    }

    private static func error(_ status: Int, _ message: String) -> HTTPResponse {
        JSONAnswer.response(["error": message], status: status)
    }
}
