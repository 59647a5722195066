import Base
import Domain
import Providers

/// The `telegram` sink: a Bot API `sendMessage` with a short text per event. `"chat": "buyer"`
/// writes to the buyer of a Stars purchase, and only to the private chat of the user Telegram
/// said paid (`telegram_user_id` of `purchase_succeeded` and `purchase_refund_due`), never to an id
/// a client wrote: an event without such a buyer has no recipient, which is a final outcome, not a
/// retry.
package struct TelegramSink: SinkTransport {
    /// Where a Telegram sink writes.
    package enum Chat: Sendable, Equatable {
        /// The user Telegram said paid for a Stars purchase.
        case buyer
        /// A fixed chat, such as an operators' group.
        case id(Int64)
    }

    /// Where the Bot API is, and the bot's token.
    package struct Bot: Sendable {
        let baseURL: String
        let token: String

        /// From `TELEGRAM_BOT_TOKEN` and `TELEGRAM_API_URL`; nil when the token is unset.
        init?(_ config: Config) throws(ConfigError) {
            guard let token = config.optional("TELEGRAM_BOT_TOKEN") else { return nil }
            baseURL = try config.baseURL("TELEGRAM_API_URL", default: TelegramClient.defaultBaseURL)
            self.token = token
        }
    }

    /// Who receives the messages.
    package let chat: Chat
    /// The bot that sends them; nil when `TELEGRAM_BOT_TOKEN` is unset, which refuses each attempt.
    let bot: Bot?

    private struct SendMessage: Encodable {
        let chat_id: Int64
        let text: String
        let disable_web_page_preview = true
    }

    /// The request for one attempt, or the answer when there is nobody to send to.
    package func request(_ event: OutboundEvent, timeoutMilliseconds: Int, now: Int64) -> SinkRequest {
        guard let bot else {
            return .answered(.refused(statusCode: nil, error: "TELEGRAM_BOT_TOKEN is not set"))
        }
        let chatID: Int64
        switch chat {
        case .id(let id): chatID = id
        case .buyer:
            guard event.aggregateType == .purchase, case .int(let buyer) = event.payload[TelegramUser.payloadKey],
                TelegramUser.isUserID(buyer)
            else {
                return .answered(
                    .refused(
                        statusCode: nil, error: "\(SinkAnswer.noRecipient): no paying Telegram user for this event"))
            }
            chatID = buyer
        }
        guard
            let body = try? JSONCoding.encode(SendMessage(chat_id: chatID, text: NotificationText.message(for: event)))
        else { return .answered(.refused(statusCode: nil, error: "the message could not be encoded")) }
        return .send(
            OutboundRequest(
                method: "POST", url: "\(bot.baseURL)/bot\(bot.token)/sendMessage",
                headers: HTTPHeaders([("Content-Type", "application/json")]), body: body,
                timeoutMilliseconds: timeoutMilliseconds))
    }

    /// As any sink's, but the pause Telegram asks for in a 429's body (`parameters.retry_after`)
    /// wins over the header, and for the buyer's chat a refusal saying it cannot be written to (a
    /// user who never started the bot, blocked it or is gone) is `no_recipient`; for a fixed chat
    /// that is the sink's own misconfiguration and stays a refusal.
    package func answer(_ response: OutboundResponse, now: Int64) -> SinkAnswer {
        let reply = Self.reply(response)
        if case .buyer = chat, response.status == 400 || response.status == 403,
            let description = reply?.description, Self.noChatPhrases.contains(where: description.contains)
        {
            return .refused(
                statusCode: response.status,
                error: "\(SinkAnswer.noRecipient): HTTP \(response.status): \(BoundedText.clip(description, 120))")
        }
        return SinkAnswer.classify(response, retryAfter: Self.pause(asked: reply), now: now)
    }

    /// What Telegram's descriptions say when a chat cannot be written to.
    private static let noChatPhrases = [
        "chat not found", "bot was blocked", "can't initiate conversation", "user is deactivated",
    ]

    /// The pause Telegram asks for in a 429's body, in milliseconds, bounded to a day.
    package static func retryAfter(_ response: OutboundResponse) -> Int? { pause(asked: reply(response)) }

    /// The Bot API's answer in `response`, when its body is one.
    private static func reply(_ response: OutboundResponse) -> Telegram.Reply<JSONValue>? {
        try? JSONCoding.decode(Telegram.Reply<JSONValue>.self, from: response.body)
    }

    /// The pause `reply` asks for, in milliseconds, bounded to a day.
    private static func pause(asked reply: Telegram.Reply<JSONValue>?) -> Int? {
        reply?.parameters?.retry_after.map(RetryAfter.milliseconds(seconds:))
    }
}
