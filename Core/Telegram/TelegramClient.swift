import Logging

/// The Telegram Bot API adapter: `createInvoiceLink` for Stars invoices, retrying 429 (after
/// `retry_after`), 5xx, timeouts and broken connections inside a time budget. The bot token is
/// part of every URL, so URLs are never logged: only method names.
public struct TelegramClient {
    public static let defaultBaseURL = "https://api.telegram.org"

    /// Why a Bot API call gave no result.
    public enum Failure: Error, Sendable, Equatable {
        case rejected(code: Int, description: String)
        case unavailable
        case timedOut
        case badResponse

        public var apiError: APIError {
            switch self {
            case .rejected(let code, let description):
                APIError(502, "provider_rejected", "Telegram refused the invoice (\(code)): \(description).")
            case .unavailable:
                APIError(503, "provider_unavailable", "Telegram is unavailable; retry later.", headers: HTTPHeaders([("Retry-After", "5")]))
            case .timedOut:
                APIError(504, "provider_timeout", "Telegram did not answer in time; retry later.")
            case .badResponse:
                APIError(502, "provider_bad_response", "Telegram answered with something that could not be read.")
            }
        }
    }

    private let baseURL: String
    private let token: String
    private let http: any HTTPClient
    private let policy: RetryPolicy

    public init(baseURL: String, token: String, http: any HTTPClient, policy: RetryPolicy) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
        self.policy = policy
    }

    /// From `TELEGRAM_API_URL`, `TELEGRAM_BOT_TOKEN` and `TELEGRAM_TIMEOUT_MS` (default 5000).
    public init(config: Config) throws {
        self.init(baseURL: try config.baseURL("TELEGRAM_API_URL", default: Self.defaultBaseURL),
                  token: try config.secret("TELEGRAM_BOT_TOKEN", .telegramBotToken), http: CurlHTTPClient(),
                  policy: RetryPolicy(budgetMilliseconds: try config.integer("TELEGRAM_TIMEOUT_MS", default: 5_000, in: 100...60_000)))
    }

    /// A `https://t.me/…` link to pay `stars` for the purchase named by `payload` (≤ 128 bytes).
    public func createInvoiceLink(title: String, description: String, payload: String, stars: Int64, logger: Logger) throws(Failure) -> String {
        precondition((1...128).contains(payload.utf8.count), "Telegram takes an invoice payload of 1 to 128 bytes")
        let body = Telegram.CreateInvoiceLink(
            title: BoundedText.clip(title, 32), description: BoundedText.clip(description, 255), payload: payload,
            prices: [.init(label: BoundedText.clip(title, 32), amount: stars)])
        guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
        return try call("createInvoiceLink", bytes, String.self, logger: logger)
    }

    private func call<Result: Decodable>(_ method: String, _ body: [UInt8], _ type: Result.Type, logger: Logger) throws(Failure) -> Result {
        let deadline = policy.start()
        var attempt = 0
        var failure = Failure.timedOut
        while deadline.remaining > 0 {
            attempt += 1
            var pause = policy.delay(after: attempt)
            let request = OutboundRequest(method: "POST", url: "\(baseURL)/bot\(token)/\(method)",
                                          headers: HTTPHeaders([("Content-Type", "application/json")]), body: body,
                                          timeoutMilliseconds: min(policy.attemptTimeoutMilliseconds, deadline.remaining))
            do {
                let response = try http.send(request)
                let reply = try? JSONCoding.decode(Telegram.Reply<Result>.self, from: response.body)
                if response.status == 200, let reply, reply.ok, let result = reply.result { return result }
                switch response.status {
                case 429:
                    failure = .unavailable
                    pause = max(pause, (reply?.parameters?.retry_after ?? 1) * 1_000)
                case 500...599:
                    failure = .unavailable
                default:
                    throw Failure.rejected(code: reply?.error_code ?? response.status, description: reply?.description ?? "HTTP \(response.status)")
                }
                logger.warning("Telegram call will be retried", metadata: [
                    "method": .string(method), "attempt": .stringConvertible(attempt), "status": .stringConvertible(response.status),
                ])
            } catch let error as Failure {
                throw error
            } catch {
                failure = error as? TransportError == .timedOut ? .timedOut : .unavailable
            }
            guard deadline.remaining > pause, deadline.pause(pause) else { break }
        }
        logger.error("Telegram call gave up", metadata: ["method": .string(method), "attempts": .stringConvertible(attempt)])
        throw failure
    }


}
