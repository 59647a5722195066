/// The `webhook` sink: the event as `{"type", "timestamp", "data"}`, POSTed with the Standard
/// Webhooks headers. `webhook-id` is the event's id, the same for every attempt and every sink, so
/// a receiver deduplicates on it; `webhook-timestamp` is this attempt's time.
enum WebhookSink {
    private struct Body: Encodable {
        let type: DomainEventType
        let timestamp: String
        let data: [String: JSONValue]
    }

    /// The request for one attempt, signed with every secret of the sink.
    static func request(_ event: OutboundEvent, sink: Sink, url: String, now: Int64) throws -> OutboundRequest {
        let body = try JSONCoding.encode(Body(type: event.type, timestamp: event.createdAt, data: event.data))
        var headers = try StandardWebhooks.sign(id: event.eventID, timestamp: now, body: body, secrets: sink.secrets)
            .fields
        headers.add("Content-Type", "application/json")
        headers.add("User-Agent", SinkSender.userAgent)
        return OutboundRequest(
            method: "POST", url: url, headers: headers, body: body, timeoutMilliseconds: sink.timeoutMilliseconds)
    }
}
