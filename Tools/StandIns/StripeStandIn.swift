import Core
import Foundation

/// A loopback stand-in for the Stripe API: `GET /v1/events` with Stripe's filters and
/// pagination; refunds (`POST /v1/refunds` with `Idempotency-Key`, `GET /v1/refunds/{id}`) of the
/// PaymentIntents its events paid, each with its `refund.created` event, for the key allowed to
/// (`refundsKey`; the read-only `apiKey` gets Stripe's 403); and events made, signed and delivered
/// the way Stripe does it.
///
/// Control endpoints, for scripts: `POST /_control/events?type=T&deal_id=D&amount=N&currency=usd`
/// (also `payment_status`, `livemode`, `account`, `age` seconds to sign in the past, `secret`)
/// makes an event, and `POST /_control/events/{id}` takes one made before (a refund's); either is
/// answered with the signed API Gateway event (`as=event`), or delivered to `deliver_to=URL`.
package final class StripeStandIn: @unchecked Sendable {
    package let apiKey: String
    /// A restricted key with Refunds: Write as well as Events: Read.
    package let refundsKey: String
    package let webhookSecret: String

    private let lock = NSLock()
    /// Newest first, as the API lists them.
    private var events: [[String: Any]] = []
    private var undelivered: Set<String> = []
    /// PaymentIntents paid through events made here: amount, currency, refunded so far.
    private var intents: [String: (amount: Int, currency: String, refunded: Int)] = [:]
    private var refunds: [String: [String: Any]] = [:]
    private var keys: [String: (form: [UInt8], body: [String: Any])] = [:]
    /// At most this many items a list page, whatever `limit` asks (`has_more` still says the truth).
    private var pageCap = 100

    package init(
        apiKey: String = "rk_test_standin_events_read", refundsKey: String = "rk_test_standin_refunds_write",
        webhookSecret: String = "whsec_test_secret"
    ) {
        self.apiKey = apiKey
        self.refundsKey = refundsKey
        self.webhookSecret = webhookSecret
    }

    /// Lists answer at most `items` a page from now on.
    package func capListPages(at items: Int) { lock.withLock { pageCap = items } }

    /// The events of `type` kept so far, newest first.
    package func eventsOfType(_ type: String) -> [[String: Any]] {
        lock.withLock { events.filter { $0["type"] as? String == type } }
    }

    /// How many refunds were made.
    package var refundsMade: Int { lock.withLock { refunds.count } }

    // MARK: Making events

    /// Makes and keeps an event of `type` about a payment for `dealID` (nil leaves the metadata empty).
    @discardableResult
    package func makeEvent(
        _ type: String, dealID: String?, amount: Int = 4_900, currency: String = "usd", paymentStatus: String = "paid",
        livemode: Bool = false, account: String? = nil, paymentIntent: String? = nil, created: Int? = nil
    ) -> [String: Any] {
        let intent = paymentIntent ?? Self.id("pi")
        let object = Self.object(
            for: type, dealID: dealID, amount: amount, currency: currency, paymentStatus: paymentStatus,
            paymentIntent: intent, livemode: livemode)
        if type == "payment_intent.succeeded" || (type.hasPrefix("checkout.session.") && paymentStatus == "paid") {
            lock.withLock { intents[intent] = intents[intent] ?? (amount, currency, 0) }
        }
        return keep(type: type, object: object, livemode: livemode, account: account, created: created)
    }

    /// A refund made in the Dashboard: recorded, and its `refund.created` event kept and returned.
    @discardableResult
    package func refundInDashboard(paymentIntent: String, amount: Int? = nil) -> [String: Any]? {
        lock.withLock {
            guard let intent = intents[paymentIntent] else { return nil }
            return refund(paymentIntent, amount: amount ?? (intent.amount - intent.refunded), metadata: [:])
        }
    }

    /// The `refund.updated` event Stripe sends when a refund's status changes, kept and returned.
    @discardableResult
    package func updateRefund(_ id: String, status: String) -> [String: Any]? {
        lock.withLock {
            guard var refund = refunds[id] else { return nil }
            refund["status"] = status
            refunds[id] = refund
            return keepUnlocked(type: "refund.updated", object: refund)
        }
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

    /// `keep` for callers holding the lock.
    private func keepUnlocked(type: String, object: [String: Any]) -> [String: Any] {
        let event: [String: Any] = [
            "id": Self.id("evt"), "object": "event", "api_version": "2025-03-31.basil",
            "created": Int(Date().timeIntervalSince1970), "livemode": false, "pending_webhooks": 1,
            "request": ["id": Self.id("req"), "idempotency_key": UUID().uuidString.lowercased()], "type": type,
            "data": ["object": object],
        ]
        events.insert(event, at: 0)
        return event
    }

    /// Records a refund of `amount` (under the lock) with its `refund.created` event, returned.
    private func refund(_ paymentIntent: String, amount: Int, metadata: [String: String]) -> [String: Any] {
        let intent = intents[paymentIntent]!
        let refund: [String: Any] = [
            "id": Self.id("re"), "object": "refund", "amount": amount, "currency": intent.currency,
            "charge": Self.id("ch"), "payment_intent": paymentIntent, "status": "succeeded", "metadata": metadata,
            "created": Int(Date().timeIntervalSince1970), "reason": NSNull(),
        ]
        refunds[refund["id"] as! String] = refund
        intents[paymentIntent] = (intent.amount, intent.currency, intent.refunded + amount)
        return keepUnlocked(type: "refund.created", object: refund)
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
        if request.path.hasPrefix("/_control/events"), request.method == "POST" { return control(request) }
        let key = request.headers["Authorization"]
        guard key == "Bearer \(apiKey)" || key == "Bearer \(refundsKey)" else {
            return error(401, "Invalid API Key provided: \(String(apiKey.prefix(8)))****", param: nil)
        }
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case ("GET", 2) where parts == ["v1", "events"]:
            return list(request)
        case (_, 2) where parts == ["v1", "refunds"], ("GET", 3) where parts[0] == "v1" && parts[1] == "refunds":
            guard key == "Bearer \(refundsKey)" else {
                return error(
                    403,
                    "The provided key '\(String(apiKey.prefix(8)))****\(String(apiKey.suffix(4)))' does not have the "
                        + "required permissions for this endpoint on account 'acct_standin'. Having the "
                        + "'rak_refund_write' permission would allow this request to continue.", param: nil)
            }
            if parts.count == 3 {
                return lock.withLock { refunds[parts[2]] }.map { JSONAnswer.ok($0) }
                    ?? error(404, "No such refund: '\(parts[2])'", param: "id")
            }
            return request.method == "GET" ? listRefunds(request) : createRefund(request)
        default:
            return error(404, "Unrecognized request URL (\(request.method): \(request.path))", param: nil)
        }
    }

    /// `GET /v1/refunds?payment_intent=…&limit=…&starting_after=…`: newest first, with `has_more`.
    private func listRefunds(_ request: ServerRequest) -> ServerAction {
        let limit = request.parameter("limit").flatMap(Int.init) ?? 10
        guard (1...100).contains(limit) else { return error(400, "Invalid limit", param: "limit") }
        let intent = request.parameter("payment_intent")
        var matching = lock.withLock {
            events.compactMap { event -> [String: Any]? in
                guard event["type"] as? String == "refund.created",
                    let object = (event["data"] as? [String: Any])?["object"] as? [String: Any],
                    let id = object["id"] as? String
                else { return nil }
                return refunds[id]
            }.filter { intent == nil || $0["payment_intent"] as? String == intent }
        }
        if let after = request.parameter("starting_after") {
            guard let index = matching.firstIndex(where: { $0["id"] as? String == after }) else {
                return error(400, "No such refund: '\(after)'", param: "starting_after")
            }
            matching = Array(matching[(index + 1)...])
        }
        return JSONAnswer.ok([
            "object": "list", "url": "/v1/refunds", "has_more": matching.count > limit,
            "data": Array(matching.prefix(limit)),
        ])
    }

    /// `POST /v1/refunds`: form-encoded, by `payment_intent`; the same `Idempotency-Key` with the
    /// same form gets the first answer, with another form a 400.
    private func createRefund(_ request: ServerRequest) -> ServerAction {
        guard request.method == "POST" else { return error(405, "Use POST", param: nil) }
        var form: [String: [String]] = [:]
        for item in URLComponents(string: "/?" + String(decoding: request.body, as: UTF8.self))?.queryItems ?? [] {
            form[item.name, default: []].append(item.value ?? "")
        }
        return lock.withLock {
            let key = request.headers["Idempotency-Key"]
            if let key, let seen = keys[key] {
                guard seen.form == request.body else {
                    return error(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                        param: nil)
                }
                return JSONAnswer.ok(seen.body)
            }
            guard let intentID = form["payment_intent"]?.first, let intent = intents[intentID] else {
                return error(400, "No such payment_intent", param: "payment_intent")
            }
            let left = intent.amount - intent.refunded
            guard left > 0 else { return error(400, "Charge has already been refunded.", param: nil) }
            let amount = form["amount"]?.first.flatMap(Int.init) ?? left
            guard amount > 0, amount <= left else {
                return error(
                    400, "Refund amount (\(amount)) is greater than unrefunded amount on charge (\(left))",
                    param: "amount")
            }
            var metadata: [String: String] = [:]
            for (name, values) in form where name.hasPrefix("metadata[") && name.hasSuffix("]") {
                metadata[String(name.dropFirst("metadata[".count).dropLast())] = values.first
            }
            let event = refund(intentID, amount: amount, metadata: metadata)
            let refund = (event["data"] as! [String: Any])["object"] as! [String: Any]
            if let key { keys[key] = (request.body, refund) }
            return JSONAnswer.ok(refund)
        }
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
        let page = Array(selected.prefix(min(limit, lock.withLock { pageCap })))
        return JSONAnswer.ok([
            "object": "list", "url": "/v1/events", "has_more": selected.count > page.count, "data": page,
        ])
    }

    private func control(_ request: ServerRequest) -> ServerAction {
        let event: [String: Any]
        if request.path.hasPrefix("/_control/events/") {
            let id = String(request.path.dropFirst("/_control/events/".count))
            guard let kept = lock.withLock({ events.first { $0["id"] as? String == id } }) else {
                return error(404, "No such event: '\(id)'", param: "id")
            }
            event = kept
        } else {
            guard let made = made(request) else { return error(400, "type is required", param: "type") }
            event = made
        }
        return signed(event, request)
    }

    /// The event a control request describes, made and kept; nil without a `type`.
    private func made(_ request: ServerRequest) -> [String: Any]? {
        guard let type = request.parameter("type") else { return nil }
        let deal = request.parameter("deal_id")
        return makeEvent(
            type, dealID: deal?.isEmpty == true ? nil : deal,
            amount: request.parameter("amount").flatMap(Int.init) ?? 4_900,
            currency: request.parameter("currency") ?? "usd",
            paymentStatus: request.parameter("payment_status") ?? "paid",
            livemode: request.parameter("livemode") == "true", account: request.parameter("account"),
            paymentIntent: request.parameter("payment_intent"))
    }

    /// Answers with `event` signed, or delivers it, as the control request asks.
    private func signed(_ event: [String: Any], _ request: ServerRequest) -> ServerAction {
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
