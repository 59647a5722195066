import Glibc

/// Sends one claimed delivery to its sink, once: the relay decides about retries. Every kind of
/// sink is an HTTP call, classified the same way (`SinkAnswer.classify`).
struct SinkSender {
    /// Sent with every call, so receivers can tell the relay's requests apart.
    static let userAgent = "payment-functions-relay/1"

    let telegram: TelegramSink.Endpoint?
    let http: any HTTPClient

    /// One attempt at `event` for `sink`.
    func send(_ event: OutboundEvent, to sink: Sink) -> SinkAnswer {
        let request: SinkRequest
        switch sink.kind {
        case .webhook:
            guard let url = sink.url,
                let signed = try? WebhookSink.request(event, sink: sink, url: url, now: Int64(time(nil)))
            else { return .refused(statusCode: nil, error: "the webhook could not be signed") }
            request = .send(signed)
        case .userService:
            guard let url = sink.url else { return .refused(statusCode: nil, error: "the sink has no url") }
            request = UserServiceSink.request(event, sink: sink, url: url)
        case .telegram:
            request = TelegramSink.request(event, sink: sink, endpoint: telegram)
        }
        switch request {
        case .answered(let answer): return answer
        case .send(let outbound):
            do throws(TransportError) {
                let response = try http.send(outbound)
                return SinkAnswer.classify(
                    response, retryAfter: sink.kind == .telegram ? TelegramSink.retryAfter(response) : nil)
            } catch {
                return SinkAnswer.transport(error)
            }
        }
    }
}
