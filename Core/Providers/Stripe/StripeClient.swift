import Base
import FoundationEssentials
import Logging

/// The Stripe API for operators: `GET /v1/events`, paginated (a restricted key with Events: Read),
/// and refunds (`POST /v1/refunds`, `GET /v1/refunds/{id}`, which need Refunds: Write). Calls are
/// retried on 5xx, 409, 429 and a broken transport inside a time budget, as the other providers'
/// clients are (`RetryingCall`), a refund with the same `Idempotency-Key` every time.
package struct StripeClient {
    /// The real API; `STRIPE_API_URL` overrides it.
    package static let defaultBaseURL = "https://api.stripe.com"

    /// One listed event: what an operator compares with the deliveries the functions saw.
    package struct EventSummary: Decodable, Sendable, Encodable {
        package struct Request: Codable, Sendable { package let id: String? }
        package let id: String
        package let type: String
        package let created: Int64
        package let livemode: Bool
        package let pending_webhooks: Int?
        package let request: Request?
    }

    private let baseURL: String
    private let apiKey: String
    private let http: any HTTPClient
    private let policy: RetryPolicy

    package init(baseURL: String, apiKey: String, http: any HTTPClient, policy: RetryPolicy) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.http = http
        self.policy = policy
    }

    /// From `STRIPE_API_URL`, `STRIPE_API_KEY` and `STRIPE_TIMEOUT_MS` (default 10000).
    package init(config: Config) throws {
        self.init(
            baseURL: try config.baseURL("STRIPE_API_URL", default: Self.defaultBaseURL),
            apiKey: try config.secret("STRIPE_API_KEY", .stripeAPIKey), http: CurlHTTPClient(),
            policy: RetryPolicy(
                budgetMilliseconds: try config.integer("STRIPE_TIMEOUT_MS", default: 10_000, in: 100...60_000)))
    }

    /// Up to `limit` events, newest first, following `has_more` across pages of at most 100.
    package func events(
        types: [String] = [], limit: Int, createdSince: Int64? = nil, failedOnly: Bool = false, logger: Logger
    ) throws(StripeError) -> [EventSummary] {
        try list(
            "/v1/events", Self.eventFilters(types: types, createdSince: createdSince, failedOnly: failedOnly),
            limit: limit, logger: logger)
    }

    /// Every event of `types` created since `createdSince` (Unix seconds), whole, newest first.
    package func fullEvents(
        types: [String], createdSince: Int64, limit: Int = .max, logger: Logger
    ) throws(StripeError) -> [Stripe.Event] {
        try list(
            "/v1/events", Self.eventFilters(types: types, createdSince: createdSince, failedOnly: false), limit: limit,
            logger: logger)
    }

    private static func eventFilters(types: [String], createdSince: Int64?, failedOnly: Bool) -> [String] {
        var query = types.map { "types[]=\(PercentEncoding.component($0))" }
        if let createdSince { query.append("created[gte]=\(createdSince)") }
        if failedOnly { query.append("delivery_success=false") }
        return query
    }

    /// `POST /v1/refunds` (form-encoded) with `Idempotency-Key`; `fields` are the form's pairs.
    package func createRefund(
        _ fields: [(String, String)], idempotencyKey: String, logger: Logger
    ) throws(StripeError)
        -> Stripe.Refund
    {
        let form = fields.map { "\(PercentEncoding.component($0.0))=\(PercentEncoding.component($0.1))" }
        return try send(
            Stripe.Refund.self, "POST", "/v1/refunds", form: form.joined(separator: "&"),
            idempotencyKey: idempotencyKey, logger: logger)
    }

    /// `GET /v1/refunds/{id}`.
    package func refund(id: String, logger: Logger) throws(StripeError) -> Stripe.Refund {
        try send(Stripe.Refund.self, "GET", "/v1/refunds/\(PercentEncoding.component(id))", logger: logger)
    }

    /// `GET /v1/refunds?payment_intent=…` (or `charge=…`): every refund of one payment, newest first.
    package func refunds(
        of target: (field: String, id: String), logger: Logger
    ) throws(StripeError)
        -> [Stripe.Refund]
    {
        try list(
            "/v1/refunds", ["\(target.field)=\(PercentEncoding.component(target.id))"], limit: .max, logger: logger)
    }

    /// Up to `limit` items of a list, following `has_more` with `starting_after` whatever a page's length.
    private func list<Item: Decodable & StripeListed>(
        _ path: String, _ filters: [String], limit: Int, logger: Logger
    )
        throws(StripeError) -> [Item]
    {
        var collected: [Item] = []
        var cursor: String?
        while collected.count < limit {
            var query = filters + ["limit=\(min(100, limit - collected.count))"]
            if let cursor { query.append("starting_after=\(PercentEncoding.component(cursor))") }
            let page = try send(ListPage<Item>.self, "GET", path + "?" + query.joined(separator: "&"), logger: logger)
            collected += page.data
            guard page.has_more, let last = page.data.last else { break }
            cursor = last.id
        }
        return collected
    }

    /// One call, retried inside the budget: Stripe's error message for a 4xx, `unavailable` for no
    /// answer or a 5xx. The URL and key are never logged: only the method and path.
    private func send<Value: Decodable>(
        _ type: Value.Type, _ method: HTTPMethod, _ path: String, form: String? = nil, idempotencyKey: String? = nil,
        logger: Logger
    ) throws(StripeError) -> Value {
        var headers = HTTPHeaders([("Authorization", "Bearer \(apiKey)"), ("Stripe-Version", "2025-03-31.basil")])
        if form != nil { headers.add("Content-Type", "application/x-www-form-urlencoded") }
        if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
        let call = RetryingCall<StripeError>(
            provider: "Stripe", call: "\(method) \(path.prefix { $0 != "?" })", policy: policy, http: http)
        let body = try call.run(
            { timeout in
                OutboundRequest(
                    method: method, url: baseURL + path, headers: headers, body: Array((form ?? "").utf8),
                    timeoutMilliseconds: timeout)
            }, logger: logger, classify: Self.verdict, transport: { .unavailable("\($0)") })
        guard let value = try? JSONCoding.decode(type, from: body) else { throw .badResponse }
        return value
    }

    /// What one answer means: the body, `unavailable` (worth asking again later: a 5xx, 409 or
    /// 429), or Stripe's refusal with its message cut to a readable length.
    package static func verdict(_ response: OutboundResponse) -> RetryVerdict<[UInt8], StripeError> {
        if response.status == 200 { return .done(response.body) }
        guard (400..<500).contains(response.status), ![409, 429].contains(response.status) else {
            return .retry(.unavailable("HTTP \(response.status)"))
        }
        let error = (try? JSONCoding.decode(ErrorBody.self, from: response.body))?.error
        return .fail(
            .rejected(
                status: response.status, message: BoundedText.clip(error?.message ?? "HTTP \(response.status)", 300),
                code: (error?.code ?? error?.type).map { BoundedText.clip($0, 64) }))
    }

    /// Stripe's error body: `{"error": {"type": …, "code": …, "message": …}}`.
    private struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let type: String?
            let code: String?
            let message: String?
        }
        let error: Detail?
    }
}

/// A page of a Stripe list.
private struct ListPage<Item: Decodable>: Decodable {
    let data: [Item]
    let has_more: Bool
}

/// An object of a Stripe list: its id is the cursor of the next page.
package protocol StripeListed { var id: String { get } }

extension StripeClient.EventSummary: StripeListed {}
extension Stripe.Event: StripeListed {}
extension Stripe.Refund: StripeListed {}
