import Base
import FoundationEssentials
import Logging

/// The YooKassa API v3 adapter: Basic auth with shop id and secret key, JSON in and out, and
/// retries (5xx, 429, timeouts, broken connections, 202 "processing") with back-off inside a
/// time budget, always repeating the same `Idempotence-Key`, never retrying another 4xx.
package struct YooKassaClient {
    /// The real API; `YOOKASSA_API_URL` overrides it.
    package static let defaultBaseURL = "https://api.yookassa.ru"

    private let baseURL: String
    private let authorization: String
    private let http: any HTTPClient
    private let policy: RetryPolicy

    package init(baseURL: String, shopID: String, secretKey: String, http: any HTTPClient, policy: RetryPolicy) {
        self.baseURL = baseURL
        self.authorization = "Basic " + Data("\(shopID):\(secretKey)".utf8).base64EncodedString()
        self.http = http
        self.policy = policy
    }

    /// Reads the adapter's settings: `YOOKASSA_API_URL`, `YOOKASSA_SHOP_ID`, `YOOKASSA_SECRET_KEY`
    /// and `YOOKASSA_TIMEOUT_MS` (the whole budget of one call with its retries).
    package init(config: Config) throws {
        self.init(
            baseURL: try config.baseURL("YOOKASSA_API_URL", default: Self.defaultBaseURL),
            shopID: try config.required("YOOKASSA_SHOP_ID"),
            secretKey: try config.secret("YOOKASSA_SECRET_KEY", .yookassaSecretKey),
            http: CurlHTTPClient(),
            policy: RetryPolicy(
                budgetMilliseconds: try config.integer("YOOKASSA_TIMEOUT_MS", default: 10_000, in: 100...60_000)))
    }

    /// `POST /v3/payments` with `Idempotence-Key: idempotenceKey` (at most 64 characters).
    package func createPayment(
        _ body: YooKassa.CreatePayment, idempotenceKey: String, logger: Logger
    ) throws(YooKassaError) -> YooKassa.Payment {
        precondition(
            (1...64).contains(idempotenceKey.utf8.count), "YooKassa takes Idempotence-Key of 1 to 64 characters")
        guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
        return try decode(
            YooKassa.Payment.self,
            send("POST", "/v3/payments", body: bytes, idempotenceKey: idempotenceKey, logger: logger))
    }

    /// `POST /v3/refunds` with `Idempotence-Key: idempotenceKey`.
    package func createRefund(
        _ body: YooKassa.CreateRefund, idempotenceKey: String, logger: Logger
    ) throws(YooKassaError) -> YooKassa.Refund {
        guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
        return try decode(
            YooKassa.Refund.self,
            send("POST", "/v3/refunds", body: bytes, idempotenceKey: idempotenceKey, logger: logger))
    }

    /// `GET /v3/refunds?payment_id=…`: every refund of one payment.
    package func refunds(paymentID: String, logger: Logger) throws(YooKassaError) -> [YooKassa.Refund] {
        try list("/v3/refunds", [("payment_id", paymentID)], logger: logger)
    }

    /// `GET /v3/refunds?created_at.gte=…`: every refund made since an ISO 8601 time.
    package func refunds(createdSince: String, logger: Logger) throws(YooKassaError) -> [YooKassa.Refund] {
        try list("/v3/refunds", [("created_at.gte", createdSince)], logger: logger)
    }

    /// `GET /v3/payments?created_at.gte=…`: every payment created since an ISO 8601 time.
    package func payments(createdSince: String, logger: Logger) throws(YooKassaError) -> [YooKassa.Payment] {
        try list("/v3/payments", [("created_at.gte", createdSince)], logger: logger)
    }

    /// Every item of a list, 100 a page, following `next_cursor` whatever a page's length.
    private func list<Item: Decodable & Sendable>(
        _ path: String, _ filters: [(String, String)], logger: Logger
    ) throws(YooKassaError) -> [Item] {
        var collected: [Item] = []
        var cursor: String?
        repeat {
            var query = filters + [("limit", "100")]
            if let cursor { query.append(("cursor", cursor)) }
            let target = path + "?" + query.map { "\($0.0)=\(PercentEncoding.component($0.1))" }.joined(separator: "&")
            let page = try decode(YooKassa.List<Item>.self, send("GET", target, logger: logger))
            collected += page.items
            cursor = page.next_cursor
        } while cursor != nil
        return collected
    }

    /// `GET /v3/payments/{id}`: the payment as YooKassa holds it now.
    package func payment(id: String, logger: Logger) throws(YooKassaError) -> YooKassa.Payment {
        try decode(YooKassa.Payment.self, send("GET", "/v3/payments/\(PercentEncoding.component(id))", logger: logger))
    }

    /// `GET /v3/refunds/{id}`.
    package func refund(id: String, logger: Logger) throws(YooKassaError) -> YooKassa.Refund {
        try decode(YooKassa.Refund.self, send("GET", "/v3/refunds/\(PercentEncoding.component(id))", logger: logger))
    }

    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8] = [], idempotenceKey: String? = nil, logger: Logger
    ) throws(YooKassaError) -> [UInt8] {
        var headers = HTTPHeaders([("Authorization", authorization), ("Accept", "application/json")])
        if !body.isEmpty { headers.add("Content-Type", "application/json") }
        if let idempotenceKey { headers.add("Idempotence-Key", idempotenceKey) }
        let call = RetryingCall<YooKassaError>(
            provider: "YooKassa", call: "\(method) \(path)", policy: policy, http: http)
        return try call.run(
            { timeout in
                OutboundRequest(
                    method: method, url: baseURL + path, headers: headers, body: body, timeoutMilliseconds: timeout)
            }, logger: logger,
            classify: { Self.verdict($0, longestPause: policy.maxDelayMilliseconds) },
            transport: { $0 == .timedOut ? .timedOut : .unavailable(lastStatus: nil) })
    }

    /// What one answer means: the body, another try (202 "processing" after its `retry_after`,
    /// at most `longestPause` milliseconds; 429, 5xx), or YooKassa's refusal.
    package static func verdict(
        _ response: OutboundResponse, longestPause: Int
    ) -> RetryVerdict<[UInt8], YooKassaError> {
        switch response.status {
        case 200, 201:
            return .done(response.body)
        case 202:
            let retryAfter = (try? JSONCoding.decode(YooKassa.ErrorBody.self, from: response.body))?.retry_after
            return .retry(.processing, after: min(RetryAfter.clamped(milliseconds: retryAfter ?? 0), longestPause))
        case 429, 500...599:
            return .retry(.unavailable(lastStatus: response.status))
        default:
            let error = try? JSONCoding.decode(YooKassa.ErrorBody.self, from: response.body)
            return .fail(
                .rejected(
                    status: response.status, code: BoundedText.clip(error?.code ?? "http_\(response.status)", 64),
                    parameter: error?.parameter.map { BoundedText.clip($0, 64) }))
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws(YooKassaError) -> Value {
        guard let value = try? JSONCoding.decode(type, from: bytes) else { throw .badResponse }
        return value
    }
}
