import Base
import Logging

/// The Telegram Bot API adapter: `createInvoiceLink` for Stars invoices and `refundStarPayment`
/// for their refunds, retrying 429 (after
/// `retry_after`), 5xx, timeouts and broken connections inside a time budget. The bot token is
/// part of every URL, so URLs are never logged: only method names.
package struct TelegramClient {
    package static let defaultBaseURL = "https://api.telegram.org"

    private let baseURL: String
    private let token: String
    private let http: any HTTPClient
    private let policy: RetryPolicy

    package init(baseURL: String, token: String, http: any HTTPClient, policy: RetryPolicy) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
        self.policy = policy
    }

    /// From `TELEGRAM_API_URL`, `TELEGRAM_BOT_TOKEN` and `TELEGRAM_TIMEOUT_MS` (default 5000).
    package init(config: Config) throws {
        self.init(
            baseURL: try config.baseURL("TELEGRAM_API_URL", default: Self.defaultBaseURL),
            token: try config.secret("TELEGRAM_BOT_TOKEN", .telegramBotToken), http: CurlHTTPClient(),
            policy: RetryPolicy(
                budgetMilliseconds: try config.integer("TELEGRAM_TIMEOUT_MS", default: 5_000, in: 100...60_000)))
    }

    /// A `https://t.me/…` link to pay `stars` for the purchase named by `payload` (≤ 128 bytes).
    package func createInvoiceLink(
        title: String, description: String, payload: String, stars: Int64, logger: Logger
    ) throws(TelegramError) -> String {
        precondition((1...128).contains(payload.utf8.count), "Telegram takes an invoice payload of 1 to 128 bytes")
        let body = Telegram.CreateInvoiceLink(
            title: BoundedText.clip(title, 32), description: BoundedText.clip(description, 255), payload: payload,
            prices: [.init(label: BoundedText.clip(title, 32), amount: stars)])
        guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
        return try call("createInvoiceLink", bytes, String.self, logger: logger)
    }

    /// Gives the Stars of charge `chargeID` back to `userID`. A charge refunded before answers
    /// `CHARGE_ALREADY_REFUNDED`, which is success here: asking twice never refunds twice.
    package func refundStarPayment(userID: Int64, chargeID: String, logger: Logger) throws(TelegramError) {
        let body = Telegram.RefundStarPayment(user_id: userID, telegram_payment_charge_id: chargeID)
        guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
        do {
            _ = try call("refundStarPayment", bytes, Bool.self, logger: logger)
        } catch .rejected(_, let description) where description.contains("CHARGE_ALREADY_REFUNDED") {
            return
        }
    }

    /// Every Stars transaction of the bot (or the first `cap`), oldest first, `limit` a page (at
    /// most 100), following the offset until a page comes back empty (a short page is not the end).
    package func starTransactions(
        limit: Int = 100, atMost cap: Int = .max, logger: Logger
    ) throws(TelegramError) -> [Telegram.StarTransaction] {
        var collected: [Telegram.StarTransaction] = []
        while collected.count < cap {
            let body = Telegram.GetStarTransactions(offset: collected.count, limit: limit)
            guard let bytes = try? JSONCoding.encode(body) else { throw .badResponse }
            let page = try call("getStarTransactions", bytes, Telegram.StarTransactions.self, logger: logger)
            guard !page.transactions.isEmpty else { return collected }
            collected += page.transactions
        }
        return collected
    }

    private func call<Result: Decodable>(
        _ method: String, _ body: [UInt8], _ type: Result.Type, logger: Logger
    ) throws(TelegramError) -> Result {
        // The token is part of the URL: only the method name is logged.
        let call = RetryingCall<TelegramError>(provider: "Telegram", call: method, policy: policy, http: http)
        return try call.run(
            { timeout in
                OutboundRequest(
                    method: "POST", url: "\(baseURL)/bot\(token)/\(method)",
                    headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: body, timeoutMilliseconds: timeout)
            }, logger: logger,
            classify: Self.verdict,
            transport: { $0 == .timedOut ? .timedOut : .unavailable })
    }

    /// What one Bot API answer means: the result, another try (429 after its bounded
    /// `retry_after`, 5xx), or a refusal whose description is cut to a readable length.
    package static func verdict<Result: Decodable>(_ response: OutboundResponse) -> RetryVerdict<Result, TelegramError>
    {
        let reply = try? JSONCoding.decode(Telegram.Reply<Result>.self, from: response.body)
        if response.status == 200, let reply, reply.ok, let result = reply.result { return .done(result) }
        switch response.status {
        case 429:
            return .retry(.unavailable, after: RetryAfter.milliseconds(seconds: reply?.parameters?.retry_after ?? 1))
        case 500...599: return .retry(.unavailable)
        default:
            return .fail(
                .rejected(
                    code: reply?.error_code ?? response.status,
                    description: BoundedText.clip(reply?.description ?? "HTTP \(response.status)", 200)))
        }
    }
}
