/// The `telegram` sink: a Bot API `sendMessage` with a short text per event. `"chat": "buyer"`
/// writes to the buyer of a Stars purchase, and only to the private chat of the user Telegram
/// said paid (`telegram_user_id` of `purchase_succeeded` and `purchase_refund_due`), never to an id
/// a client wrote: an event without such a buyer has no recipient, which is a final outcome, not a
/// retry.
package enum TelegramSink {
    /// Where the Bot API is, and the bot's token; nil when `TELEGRAM_BOT_TOKEN` is unset.
    struct Endpoint: Sendable {
        let baseURL: String
        let token: String
    }

    private struct SendMessage: Encodable {
        let chat_id: Int64
        let text: String
        let disable_web_page_preview = true
    }

    /// The request for one attempt, or the answer when there is nobody to send to.
    static func request(_ event: OutboundEvent, sink: Sink, endpoint: Endpoint?) -> SinkRequest {
        guard let endpoint else {
            return .answered(.refused(statusCode: nil, error: "TELEGRAM_BOT_TOKEN is not set"))
        }
        let chatID: Int64
        switch sink.chat {
        case .id(let id): chatID = id
        case .buyer, nil:
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
                method: "POST", url: "\(endpoint.baseURL)/bot\(endpoint.token)/sendMessage",
                headers: HTTPHeaders([("Content-Type", "application/json")]), body: body,
                timeoutMilliseconds: sink.timeoutMilliseconds))
    }

    /// The pause Telegram asks for in a 429's body (`parameters.retry_after`), in milliseconds,
    /// bounded to a day.
    package static func retryAfter(_ response: OutboundResponse) -> Int? {
        (try? JSONCoding.decode(Telegram.Reply<JSONValue>.self, from: response.body))?.parameters?.retry_after
            .map(RetryAfter.milliseconds(seconds:))
    }
}
