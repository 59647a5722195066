import Core
import Foundation

/// A loopback stand-in for the Stripe API: `GET /v1/events` with Stripe's filters and
/// pagination, and events made, signed and delivered the way Stripe does it.
///
/// Control endpoint, for scripts: `POST /_control/events?type=T&deal_id=D&amount=N&currency=usd`
/// (also `payment_status`, `livemode`, `account`, `age` seconds to sign in the past, `secret`),
/// answered with the signed API Gateway event (`as=event`), or delivered to `deliver_to=URL`.
package final class StripeStandIn: @unchecked Sendable {
    package let apiKey: String
    package let webhookSecret: String

    private let lock = NSLock()
    /// Newest first, as the API lists them.
    private var events: [[String: Any]] = []
    private var undelivered: Set<String> = []

    package init(apiKey: String = "rk_test_standin_events_read", webhookSecret: String = "whsec_test_secret") {
        self.apiKey = apiKey
        self.webhookSecret = webhookSecret
    }

    // MARK: Making events

    /// Makes and keeps an event of `type` about a payment for `dealID` (nil leaves the metadata empty).
    @discardableResult
    package func makeEvent(
        _ type: String, dealID: String?, amount: Int = 4_900, currency: String = "usd", paymentStatus: String = "paid",
        livemode: Bool = false, account: String? = nil, paymentIntent: String? = nil, created: Int? = nil
    ) -> [String: Any] {
        let object = Self.object(
            for: type, dealID: dealID, amount: amount, currency: currency, paymentStatus: paymentStatus,
            paymentIntent: paymentIntent ?? Self.id("pi"), livemode: livemode)
        return keep(type: type, object: object, livemode: livemode, account: account, created: created)
    }

    /// Keeps an event with a given `data.object`.
    @discardableResult
    package func keep(
        type: String, object: [String: Any], livemode: Bool = false, account: String? = nil, created: Int? = nil
    ) -> [String: Any] {
        var event: [String: Any] = [
            "id": Self.id("evt"), "object": "event", "api_version": "2025-03-31.basil",
            "created": created ?? Int(Date().timeIntervalSince1970), "livemode": livemode, "pending_webhooks": 0,
            "request": ["id": Self.id("req"), "idempotency_key": UUID().uuidString.lowercased()], "type": type,
            "data": ["object": object],
        ]
        if let account { event["account"] = account }
        lock.withLock { events.insert(event, at: 0) }
        return event
    }

    /// The body and `Stripe-Signature` header of a delivery of `event`, signed `age` seconds ago.
    package func signedDelivery(
        _ event: [String: Any], secret: String? = nil, age: Int = 0
    ) -> (body: [UInt8], signature: String) {
        let body = JSONAnswer.encode(event)
        let timestamp = Int(Date().timeIntervalSince1970) - age
        return (body, StripeSignature.header(secret: secret ?? webhookSecret, timestamp: timestamp, body: body))
    }

    /// Delivers `event` to `url` as Stripe does; remembers a failed delivery for `delivery_success=false`.
    package func deliver(_ event: [String: Any], to url: String, secret: String? = nil, age: Int = 0) -> Int {
        let (body, signature) = signedDelivery(event, secret: secret, age: age)
        let request = OutboundRequest(
            method: "POST", url: url,
            headers: HTTPHeaders([
                ("Content-Type", "application/json; charset=utf-8"), ("Stripe-Signature", signature),
                ("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
            ]), body: body, timeoutMilliseconds: 15_000)
        let status = (try? CurlHTTPClient().send(request))?.status ?? 0
        if !(200..<300).contains(status), let id = event["id"] as? String {
            lock.withLock { _ = undelivered.insert(id) }
        }
        return status
    }

    // MARK: Serving

    package func handle(_ request: ServerRequest) -> ServerAction {
        if request.path == "/_control/events", request.method == "POST" { return control(request) }
        guard request.headers["Authorization"] == "Bearer \(apiKey)" else {
            return error(401, "Invalid API Key provided: \(String(apiKey.prefix(8)))****", param: nil)
        }
        guard request.method == "GET", request.path == "/v1/events" else {
            return error(404, "Unrecognized request URL (\(request.method): \(request.path))", param: nil)
        }
        return list(request)
    }

    private func list(_ request: ServerRequest) -> ServerAction {
        let limitText = request.parameter("limit") ?? "10"
        guard let limit = Int(limitText), (1...100).contains(limit) else {
            return error(400, "Invalid integer: \(limitText); must be between 1 and 100", param: "limit")
        }
        let types = (request.query["types[]"] ?? []) + (request.parameter("type").map { [$0] } ?? [])
        guard types.count <= 20 else { return error(400, "You may pass at most 20 types", param: "types") }
        var selected = lock.withLock {
            events.filter { event in
                let type = event["type"] as? String ?? ""
                let created = event["created"] as? Int ?? 0
                if !types.isEmpty,
                    !types.contains(where: {
                        $0 == type || ($0.hasSuffix(".*") && type.hasPrefix(String($0.dropLast())))
                    })
                {
                    return false
                }
                if let gte = request.parameter("created[gte]").flatMap(Int.init), created < gte { return false }
                if let gt = request.parameter("created[gt]").flatMap(Int.init), created <= gt { return false }
                if let lte = request.parameter("created[lte]").flatMap(Int.init), created > lte { return false }
                if let lt = request.parameter("created[lt]").flatMap(Int.init), created >= lt { return false }
                if request.parameter("delivery_success") == "false", !undelivered.contains(event["id"] as? String ?? "")
                {
                    return false
                }
                return true
            }
        }
        if let after = request.parameter("starting_after") {
            guard let index = selected.firstIndex(where: { $0["id"] as? String == after }) else {
                return error(400, "No such event: '\(after)'", param: "starting_after")
            }
            selected = Array(selected[(index + 1)...])
        } else if let before = request.parameter("ending_before") {
            guard let index = selected.firstIndex(where: { $0["id"] as? String == before }) else {
                return error(400, "No such event: '\(before)'", param: "ending_before")
            }
            selected = Array(selected[..<index].suffix(limit))
        }
        let page = Array(selected.prefix(limit))
        return JSONAnswer.ok([
            "object": "list", "url": "/v1/events", "has_more": selected.count > page.count, "data": page,
        ])
    }

    private func control(_ request: ServerRequest) -> ServerAction {
        guard let type = request.parameter("type") else { return error(400, "type is required", param: "type") }
        let deal = request.parameter("deal_id")
        let event = makeEvent(
            type, dealID: deal?.isEmpty == true ? nil : deal,
            amount: request.parameter("amount").flatMap(Int.init) ?? 4_900,
            currency: request.parameter("currency") ?? "usd",
            paymentStatus: request.parameter("payment_status") ?? "paid",
            livemode: request.parameter("livemode") == "true", account: request.parameter("account"),
            paymentIntent: request.parameter("payment_intent"))
        let secret = request.parameter("secret")
        let age = request.parameter("age").flatMap(Int.init) ?? 0
        if let target = request.parameter("deliver_to") {
            return JSONAnswer.ok([
                "id": event["id"]!, "delivered_status": deliver(event, to: target, secret: secret, age: age),
            ])
        }
        let (body, signature) = signedDelivery(event, secret: secret, age: age)
        if request.parameter("as") == "event" {
            return .respond(
                HTTPResponse(
                    status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: GatewayEventFile.v2(
                        path: "/api/webhooks/stripe", body: body, sourceIP: "54.187.174.169",
                        headers: ["Stripe-Signature": signature])))
        }
        return .respond(
            HTTPResponse(
                status: 200,
                headers: HTTPHeaders([("Content-Type", "application/json"), ("Stripe-Signature", signature)]),
                body: body))
    }

    private func error(_ status: Int, _ message: String, param: String?) -> ServerAction {
        var detail: [String: Any] = ["type": "invalid_request_error", "message": message]
        if let param { detail["param"] = param }
        return JSONAnswer.ok(["error": detail], status: status)
    }

    // MARK: Objects

    /// A realistic `data.object` for each handled event type.
    static func object(
        for type: String, dealID: String?, amount: Int, currency: String, paymentStatus: String,
        paymentIntent: String, livemode: Bool
    ) -> [String: Any] {
        let metadata: [String: String] = dealID.map { ["deal_id": $0] } ?? [:]
        let created = Int(Date().timeIntervalSince1970)
        switch type {
        case let type where type.hasPrefix("checkout.session."):
            return [
                "id": id(livemode ? "cs_live" : "cs_test"), "object": "checkout.session", "amount_subtotal": amount,
                "amount_total": amount,
                "currency": currency, "customer": id("cus"), "livemode": livemode, "metadata": metadata,
                "mode": "payment",
                "payment_intent": paymentIntent, "payment_method_types": ["card"],
                "payment_status": type == "checkout.session.async_payment_failed" ? "unpaid" : paymentStatus,
                "status": "complete", "created": created,
                "customer_details": ["email": "buyer@example.com", "name": "Test Buyer"],
            ]
        case "payment_intent.succeeded", "payment_intent.payment_failed":
            let failed = type == "payment_intent.payment_failed"
            var object: [String: Any] = [
                "id": paymentIntent, "object": "payment_intent", "amount": amount,
                "amount_received": failed ? 0 : amount,
                "currency": currency, "livemode": livemode, "metadata": metadata,
                "status": failed ? "requires_payment_method" : "succeeded",
                "created": created, "latest_charge": id("ch"), "payment_method": id("pm"),
            ]
            if failed {
                object["last_payment_error"] =
                    [
                        "code": "card_declined", "decline_code": "insufficient_funds",
                        "message": "Your card has insufficient funds.",
                        "payment_method": [
                            "id": id("pm"),
                            "card": ["brand": "visa", "last4": "0002", "exp_month": 12, "exp_year": 2030],
                        ],
                    ] as [String: Any]
            }
            return object
        case "charge.refunded":
            return [
                "id": id("ch"), "object": "charge", "amount": amount, "amount_captured": amount,
                "amount_refunded": amount,
                "currency": currency, "livemode": livemode, "metadata": metadata, "paid": true,
                "payment_intent": paymentIntent,
                "refunded": true, "status": "succeeded", "created": created,
                "payment_method_details": [
                    "type": "card", "card": ["brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030],
                ],
            ]
        case "invoice.payment_succeeded":
            return [
                "id": id("in"), "object": "invoice", "amount_due": amount, "amount_paid": amount, "amount_remaining": 0,
                "currency": currency, "livemode": livemode, "metadata": [String: String](), "status": "paid",
                "created": created,
                "parent": [
                    "type": "subscription_details",
                    "subscription_details": ["metadata": metadata, "subscription": id("sub")],
                ],
                "tax_percent": 20.0,
            ]
        default:
            return ["id": id("obj"), "object": "unknown", "livemode": livemode, "created": created]
        }
    }

    /// Ids shaped like Stripe's: `prefix_` and 24 letters and digits.
    static func id(_ prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + "_" + String((0..<24).map { _ in alphabet.randomElement()! })
    }
}
