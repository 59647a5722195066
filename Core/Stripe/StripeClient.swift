import FoundationEssentials

/// Read-only access to the Stripe API for operators: `GET /v1/events`, paginated. A restricted
/// key with Events: Read is enough.
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

    package init(baseURL: String, apiKey: String, http: any HTTPClient) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.http = http
    }

    /// From `STRIPE_API_URL` and `STRIPE_API_KEY`.
    package init(config: Config) throws {
        self.init(
            baseURL: try config.baseURL("STRIPE_API_URL", default: Self.defaultBaseURL),
            apiKey: try config.secret("STRIPE_API_KEY", .stripeAPIKey), http: CurlHTTPClient())
    }

    /// Up to `limit` events, newest first, following `has_more` across pages of at most 100.
    package func events(
        types: [String] = [], limit: Int, createdSince: Int64? = nil, failedOnly: Bool = false
    ) throws(StripeError) -> [EventSummary] {
        var collected: [EventSummary] = []
        var cursor: String?
        while collected.count < limit {
            var query = ["limit=\(min(100, limit - collected.count))"]
            query += types.map { "types[]=\(PercentEncoding.component($0))" }
            if let createdSince { query.append("created[gte]=\(createdSince)") }
            if failedOnly { query.append("delivery_success=false") }
            if let cursor { query.append("starting_after=\(PercentEncoding.component(cursor))") }
            let request = OutboundRequest(
                method: "GET", url: "\(baseURL)/v1/events?" + query.joined(separator: "&"),
                headers: HTTPHeaders([("Authorization", "Bearer \(apiKey)"), ("Stripe-Version", "2025-03-31.basil")]),
                timeoutMilliseconds: 10_000)
            let response: OutboundResponse
            do {
                response = try http.send(request)
            } catch {
                throw .unavailable("\(error)")
            }
            guard response.status == 200 else {
                struct ErrorBody: Decodable {
                    struct Detail: Decodable { let message: String? }
                    let error: Detail?
                }
                let message =
                    (try? JSONCoding.decode(ErrorBody.self, from: response.body))?.error?.message
                    ?? "HTTP \(response.status)"
                throw .rejected(status: response.status, message: message)
            }
            struct Page: Decodable {
                let data: [EventSummary]
                let has_more: Bool
            }
            guard let page = try? JSONCoding.decode(Page.self, from: response.body) else { throw .badResponse }
            collected += page.data
            guard page.has_more, let last = page.data.last else { break }
            cursor = last.id
        }
        return collected
    }
}
