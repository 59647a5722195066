import Core
import Foundation

/// A loopback stand-in for the YooKassa API v3: creates payments and refunds (honouring
/// `Idempotence-Key` for 24 h, "same key, different body" → 400; a refund never exceeds what is
/// left of its payment), serves `GET /v3/payments/{id}` and `GET /v3/refunds/{id}`, settles
/// payments on request (a whole refund, as in the dashboard) and produces or delivers their
/// notifications, and fails on request (500, 429, 202 processing, slow answers, dropped
/// connections) so retries are exercised for real.
///
/// Control endpoints, for scripts: `POST /_control/faults` with a JSON array of faults;
/// `POST /_control/payments/{id}/{succeed|cancel|wait|refund}` (`reason=…`, `as=event`,
/// `deliver_to=URL`); `GET /_control/stats`.
package final class YooKassaStandIn: @unchecked Sendable {
    /// A failure to play on the next API request, in order.
    package struct Fault: Codable, Sendable {
        package enum Kind: String, Codable, Sendable {
            /// Answer `status` with YooKassa's error body.
            case status
            /// Answer 202 `{"type":"processing","retry_after":…}`.
            case processing
            /// Answer 202 in the SDK fixtures' shape `{"type":"error","code":"request_accepted",…}`.
            case requestAccepted = "request_accepted"
            /// Process normally after `milliseconds`.
            case delay
            /// Close the connection unanswered, before processing.
            case drop
        }
        package let kind: Kind
        package var status: Int?
        package var milliseconds: Int?

        package init(_ kind: Kind, status: Int? = nil, milliseconds: Int? = nil) {
            self.kind = kind
            self.status = status
            self.milliseconds = milliseconds
        }
    }

    package let shopID: String
    package let secretKey: String
    /// The address notifications are made to come from: inside YooKassa's published networks.
    package var notificationSourceIP = "185.71.76.5"

    private let lock = NSLock()
    private var payments: [String: [String: Any]] = [:]
    /// Payment ids in the order they were made.
    private var paymentOrder: [String] = []
    /// At most this many items a list page, whatever `limit` asks: short pages that still have more.
    private var pageCap = 100
    private var refunds: [String: [String: Any]] = [:]
    /// Refund ids in the order they were made.
    private var refundOrder: [String] = []
    private var keys: [String: (fingerprint: [UInt8], status: Int, body: [UInt8], at: Date)] = [:]
    /// How long YooKassa remembers an `Idempotence-Key`.
    private static let keyLifetime: TimeInterval = 24 * 3_600
    private var faults: [Fault] = []
    private var created = 0
    /// The status a refund made through the API starts in (YooKassa may answer `pending`).
    private var newRefundStatus = "succeeded"

    package init(shopID: String = "100500", secretKey: String = "test_standin_secret_key") {
        self.shopID = shopID
        self.secretKey = secretKey
    }

    /// Plays these faults on the next API requests.
    package func inject(_ faults: [Fault]) { lock.withLock { self.faults += faults } }

    /// Drops the faults not yet played.
    package func clearFaults() { lock.withLock { faults.removeAll() } }

    /// Refunds made through the API from now on start `pending` (true) or `succeeded`.
    package func refundsStartPending(_ pending: Bool) {
        lock.withLock { newRefundStatus = pending ? "pending" : "succeeded" }
    }

    /// Lists answer at most `items` a page from now on, with `next_cursor` while more remain.
    package func capListPages(at items: Int) { lock.withLock { pageCap = items } }

    /// Forgets every `Idempotence-Key`, as YooKassa does after 24 hours.
    package func forgetIdempotenceKeys() { lock.withLock { keys.removeAll() } }

    /// How many refunds were made, through the API or as in the dashboard.
    package var refundsMade: Int { lock.withLock { refunds.count } }

    /// How many distinct payments were created.
    package var paymentsCreated: Int { lock.withLock { created } }

    /// Every payment, for assertions: id → status.
    package var statuses: [String: String] { lock.withLock { payments.mapValues { $0["status"] as? String ?? "" } } }

    // MARK: Serving

    package func handle(_ request: ServerRequest) -> ServerAction {
        if request.path.hasPrefix("/_control/") { return control(request) }
        guard request.headers["Authorization"] == "Basic " + Data("\(shopID):\(secretKey)".utf8).base64EncodedString()
        else {
            return error(401, "invalid_credentials", "Authentication by given shopId and secretKey failed")
        }
        if let fault = lock.withLock({ faults.isEmpty ? nil : faults.removeFirst() }) {
            switch fault.kind {
            case .status:
                let status = fault.status ?? 500
                let code =
                    status == 429 ? "too_many_requests" : status >= 500 ? "internal_server_error" : "invalid_request"
                return error(status, code, "Stand-in fault")
            case .processing:
                return JSONAnswer.ok(["type": "processing", "retry_after": fault.milliseconds ?? 1_800], status: 202)
            case .requestAccepted:
                return JSONAnswer.ok(
                    ["type": "error", "code": "request_accepted", "retry_after": fault.milliseconds ?? 1_800],
                    status: 202)
            case .drop:
                return .drop
            case .delay:
                if case .respond(let response) = route(request) {
                    return .delay(milliseconds: fault.milliseconds ?? 1_000, then: response)
                }
                return route(request)
            }
        }
        return route(request)
    }

    private func route(_ request: ServerRequest) -> ServerAction {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case ("POST", 2) where parts == ["v3", "payments"]:
            return remembered(request) { createPayment($0) }
        case ("POST", 2) where parts == ["v3", "refunds"]:
            return remembered(request) { createRefund($0) }
        case ("GET", 3) where parts[0] == "v3" && parts[1] == "payments":
            return lock.withLock { payments[parts[2]] }.map { JSONAnswer.ok($0) } ?? notFound()
        case ("GET", 2) where parts == ["v3", "refunds"]:
            return listed(request) { refundOrder.compactMap { refunds[$0] } }
        case ("GET", 2) where parts == ["v3", "payments"]:
            return listed(request) { paymentOrder.compactMap { payments[$0] } }
        case ("GET", 3) where parts[0] == "v3" && parts[1] == "refunds":
            return lock.withLock { refunds[parts[2]] }.map { JSONAnswer.ok($0) } ?? notFound()
        default:
            return notFound()
        }
    }

    /// Answers a `POST` once per `Idempotence-Key`: a repeat with the same body gets the first
    /// answer, one with another body a 400. `make` runs under the lock.
    private func remembered(
        _ request: ServerRequest, make: ([String: Any]) -> (status: Int, body: [String: Any])
    ) -> ServerAction {
        guard let key = request.headers["Idempotence-Key"], (1...64).contains(key.count) else {
            return error(
                400, "invalid_request", "Idempotence-Key header is missing or longer than 64 characters",
                parameter: "Idempotence-Key")
        }
        let fingerprint = Array(SHA256Digest.of(request.body))
        return lock.withLock {
            if let seen = keys[key], Date().timeIntervalSince(seen.at) < Self.keyLifetime {
                guard seen.fingerprint == fingerprint else {
                    return error(400, "invalid_request", "Idempotence key duplicated", parameter: "Idempotence-Key")
                }
                return Self.json(seen.status, seen.body)
            }
            guard let body = JSONAnswer.decodeObject(request.body) else {
                return error(400, "invalid_request", "Invalid JSON")
            }
            let (status, answer) = make(body)
            let bytes = JSONAnswer.encode(answer)
            if status == 200 { keys[key] = (fingerprint, status, bytes, Date()) }
            return Self.json(status, bytes)
        }
    }

    private func createPayment(_ body: [String: Any]) -> (status: Int, body: [String: Any]) {
        guard let (value, currency, _) = Self.amount(body) else {
            return Self.failure(400, "invalid_request", "Invalid amount", parameter: "amount")
        }
        let description = body["description"] as? String ?? ""
        guard description.count <= 128 else {
            return Self.failure(400, "invalid_request", "Description is too long", parameter: "description")
        }
        let metadata = body["metadata"] as? [String: String] ?? [:]
        guard metadata.count <= 16, metadata.allSatisfy({ $0.key.count <= 32 && $0.value.count <= 512 }) else {
            return Self.failure(400, "invalid_request", "Invalid metadata", parameter: "metadata")
        }
        guard body["capture"] as? Bool == true else {
            return Self.failure(400, "invalid_request", "capture must be true here", parameter: "capture")
        }
        let id = Self.paymentID()
        let payment: [String: Any] = [
            "id": id, "status": "pending", "paid": false, "amount": ["value": value, "currency": currency],
            "confirmation": [
                "type": "redirect",
                "confirmation_url": "https://yoomoney.ru/api-pages/v2/payment-confirm/epl?orderId=\(id)",
            ],
            "created_at": Self.timestamp(), "description": description, "metadata": metadata,
            "recipient": ["account_id": shopID, "gateway_id": "100700"], "refundable": false, "test": true,
        ]
        payments[id] = payment
        paymentOrder.append(id)
        created += 1
        return (200, payment)
    }

    /// `POST /v3/refunds`: what is left of a succeeded payment, at most; YooKassa's errors otherwise.
    private func createRefund(_ body: [String: Any]) -> (status: Int, body: [String: Any]) {
        guard let paymentID = body["payment_id"] as? String, let payment = payments[paymentID] else {
            return Self.failure(400, "invalid_request", "Payment not found", parameter: "payment_id")
        }
        guard let (value, currency, money) = Self.amount(body),
            currency == (payment["amount"] as? [String: Any])?["currency"] as? String
        else { return Self.failure(400, "invalid_request", "Invalid amount", parameter: "amount") }
        guard payment["status"] as? String == "succeeded" else {
            return Self.failure(400, "invalid_request", "Payment can't be refunded", parameter: "payment_id")
        }
        let left = Self.minor(payment["amount"]) - Self.minor(payment["refunded_amount"])
        guard left > 0 else {
            return Self.failure(400, "invalid_request", "Payment is already completely refunded")
        }
        guard money.minorUnits <= left else {
            return Self.failure(400, "invalid_request", "Refund sum exceeded", parameter: "amount")
        }
        return (200, refund(paymentID, value: value, currency: currency, status: newRefundStatus, extra: body))
    }

    /// Records a refund of `paymentID` (under the lock) and counts it in the payment's
    /// `refunded_amount` unless it failed.
    private func refund(
        _ paymentID: String, value: String, currency: String, status: String, extra: [String: Any] = [:]
    ) -> [String: Any] {
        var refund: [String: Any] = [
            "id": Self.paymentID(), "payment_id": paymentID, "status": status,
            "amount": ["value": value, "currency": currency], "created_at": Self.timestamp(),
        ]
        for field in ["description", "metadata"] { refund[field] = extra[field] }
        refunds[refund["id"] as! String] = refund
        refundOrder.append(refund["id"] as! String)
        if status != "canceled", let currencyCode = Currency(currency) {
            let total =
                Self.minor(payments[paymentID]?["refunded_amount"])
                + Self.minor(["value": value, "currency": currency])
            payments[paymentID]?["refunded_amount"] = [
                "value": Money(minorUnits: total, currency: currencyCode).decimalString, "currency": currency,
            ]
        }
        return refund
    }

    /// A list (`GET /v3/payments`, `GET /v3/refunds`) of `all` (oldest first, read under the lock),
    /// filtered by `payment_id` and `created_at.gte`, newest first, `next_cursor` while more remain.
    private func listed(_ request: ServerRequest, _ all: () -> [[String: Any]]) -> ServerAction {
        let limit = request.parameter("limit").flatMap(Int.init) ?? 10
        guard (1...100).contains(limit) else {
            return error(400, "invalid_request", "limit must be from 1 to 100", parameter: "limit")
        }
        let paymentID = request.parameter("payment_id")
        let since = request.parameter("created_at.gte")
        let (items, cap) = lock.withLock { (all(), pageCap) }
        var matching = items.reversed().filter { item in
            (paymentID == nil || item["payment_id"] as? String == paymentID)
                && (since == nil || (item["created_at"] as? String ?? "") >= since!)
        }
        if let cursor = request.parameter("cursor") {
            guard let index = matching.firstIndex(where: { $0["id"] as? String == cursor }) else {
                return error(400, "invalid_request", "Invalid cursor", parameter: "cursor")
            }
            matching = Array(matching[index...])
        }
        let size = min(limit, cap)
        var answer: [String: Any] = ["type": "list", "items": Array(matching.prefix(size))]
        if matching.count > size { answer["next_cursor"] = matching[size]["id"] }
        return JSONAnswer.ok(answer)
    }

    /// The notification YooKassa sends when a refund succeeds.
    package func refundNotification(_ refundID: String) -> [UInt8]? {
        lock.withLock { refunds[refundID] }.map {
            JSONAnswer.encode(["type": "notification", "event": "refund.succeeded", "object": $0])
        }
    }

    /// Refunds made for `paymentID`, oldest first: id, amount value and status.
    package func refunds(of paymentID: String) -> [(id: String, value: String, status: String)] {
        lock.withLock {
            refundOrder.compactMap { refunds[$0] }.filter { $0["payment_id"] as? String == paymentID }
                .map {
                    (
                        $0["id"] as? String ?? "", ($0["amount"] as? [String: Any])?["value"] as? String ?? "",
                        $0["status"] as? String ?? ""
                    )
                }
        }
    }

    /// A body's `amount`, exact: its value string, currency and money.
    private static func amount(_ body: [String: Any]) -> (String, String, Money)? {
        guard let amount = body["amount"] as? [String: Any], let value = amount["value"] as? String,
            let currency = amount["currency"] as? String,
            let money = Currency(currency).flatMap({ Money(decimal: value, currency: $0) }), money.minorUnits > 0,
            value == money.decimalString
        else { return nil }
        return (value, currency, money)
    }

    /// Minor units of an amount object; 0 when absent.
    private static func minor(_ amount: Any?) -> Int64 {
        guard let amount = amount as? [String: Any], let value = amount["value"] as? String,
            let currency = (amount["currency"] as? String).flatMap(Currency.init),
            let money = Money(decimal: value, currency: currency)
        else { return 0 }
        return money.minorUnits
    }

    // MARK: Settling and notifying

    /// Moves a payment to `succeeded`, `canceled` (with `reason`) or `waiting_for_capture`, or
    /// refunds it whole, and returns the notification YooKassa would send.
    package func settle(_ paymentID: String, _ action: String, reason: String = "insufficient_funds") -> [UInt8]? {
        lock.withLock {
            guard var payment = payments[paymentID] else { return nil }
            switch action {
            case "succeed":
                payment["status"] = "succeeded"
                payment["paid"] = true
                payment["captured_at"] = Self.timestamp()
                payment["refundable"] = true
                payment["payment_method"] =
                    [
                        "type": "bank_card", "id": paymentID, "saved": false, "title": "Bank card *4477",
                        "card": [
                            "first6": "555555", "last4": "4477", "expiry_month": "12", "expiry_year": "2030",
                            "card_type": "MasterCard",
                        ],
                    ] as [String: Any]
            case "cancel":
                payment["status"] = "canceled"
                payment["cancellation_details"] = ["party": "payment_network", "reason": reason]
            case "wait":
                payment["status"] = "waiting_for_capture"
                payment["paid"] = true
            case "refund":
                let amount = payment["amount"] as? [String: Any] ?? [:]
                let left = Self.minor(amount) - Self.minor(payment["refunded_amount"])
                guard left > 0, let currency = (amount["currency"] as? String).flatMap(Currency.init) else {
                    return nil
                }
                let made = refund(
                    paymentID, value: Money(minorUnits: left, currency: currency).decimalString,
                    currency: currency.code, status: "succeeded")
                return JSONAnswer.encode(["type": "notification", "event": "refund.succeeded", "object": made])
            default:
                return nil
            }
            payments[paymentID] = payment
            let event = [
                "succeed": "payment.succeeded", "cancel": "payment.canceled", "wait": "payment.waiting_for_capture",
            ][action]!
            return JSONAnswer.encode(["type": "notification", "event": event, "object": payment])
        }
    }

    /// Sets a refund's status as `GET /v3/refunds/{id}` reports it (YooKassa refunds can stay
    /// `pending` before they succeed or are `canceled`).
    package func setRefundStatus(_ refundID: String, _ status: String) {
        lock.withLock { refunds[refundID]?["status"] = status }
    }

    private func control(_ request: ServerRequest) -> ServerAction {
        let parts = request.path.split(separator: "/").map(String.init)
        if request.path == "/_control/faults",
            let faults = try? JSONDecoder().decode([Fault].self, from: Data(request.body))
        {
            inject(faults)
            return JSONAnswer.ok(["queued": faults.count])
        }
        if request.path == "/_control/stats" {
            return JSONAnswer.ok(["payments_created": paymentsCreated, "statuses": statuses])
        }
        guard parts.count == 4, parts[1] == "payments",
            let notification = settle(parts[2], parts[3], reason: request.parameter("reason") ?? "insufficient_funds")
        else { return notFound() }
        if let target = request.parameter("deliver_to") {
            let delivery = OutboundRequest(
                method: "POST", url: target, headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: notification, timeoutMilliseconds: 15_000)
            let status = (try? CurlHTTPClient().send(delivery))?.status ?? 0
            return JSONAnswer.ok(["delivered_status": status])
        }
        if request.parameter("as") == "event" {
            return .respond(
                HTTPResponse(
                    status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: GatewayEventFile.v2(
                        path: "/api/webhooks/yookassa", body: notification, sourceIP: notificationSourceIP)))
        }
        return .respond(
            HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: notification))
    }

    private func error(_ status: Int, _ code: String, _ description: String, parameter: String? = nil) -> ServerAction {
        let (status, body) = Self.failure(status, code, description, parameter: parameter)
        return JSONAnswer.ok(body, status: status)
    }

    /// YooKassa's error body.
    private static func failure(
        _ status: Int, _ code: String, _ description: String, parameter: String? = nil
    ) -> (
        status: Int, body: [String: Any]
    ) {
        var body: [String: Any] = [
            "type": "error", "id": UUID().uuidString.lowercased(), "code": code, "description": description,
        ]
        if let parameter { body["parameter"] = parameter }
        return (status, body)
    }

    private static func json(_ status: Int, _ body: [UInt8]) -> ServerAction {
        .respond(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body))
    }

    private func notFound() -> ServerAction { error(404, "not_found", "Object not found") }

    /// Ids shaped like YooKassa's: `2d9f3c1e-000f-5000-8000-1a2b3c4d5e6f`.
    private static func paymentID() -> String {
        let hex = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let chars = Array(hex)
        return String(chars[0..<8]) + "-000f-5000-8000-" + String(chars[8..<20])
    }

    private static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// SHA-256 of a body, for comparing repeated requests.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] { Crypto.sha256(bytes) }
}
