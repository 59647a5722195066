import Base
import Domain

/// The `webhook` sink: the event as `{"type", "timestamp", "data"}`, POSTed to `url` with the
/// Standard Webhooks headers. `webhook-id` is the event's id, the same for every attempt and every
/// sink, so a receiver deduplicates on it; `webhook-timestamp` is this attempt's time.
package struct WebhookSink: SinkTransport {
    /// Where the events go.
    package let url: String
    /// Signing secrets; several while one is rotated out (every delivery carries a signature for each).
    package let secrets: [StandardWebhookSecret]

    private struct Body: Encodable {
        let type: DomainEventType
        let timestamp: String
        let data: [String: JSONValue]
    }

    /// The request for one attempt, signed with every secret of the sink.
    package func request(_ event: OutboundEvent, timeoutMilliseconds: Int, now: Int64) -> SinkRequest {
        guard let body = try? JSONCoding.encode(Body(type: event.type, timestamp: event.createdAt, data: event.data)),
            var headers = try? StandardWebhooks.sign(id: event.eventID, timestamp: now, body: body, secrets: secrets)
                .fields
        else { return .answered(.refused(statusCode: nil, error: "the webhook could not be signed")) }
        headers.add("Content-Type", "application/json")
        headers.add("User-Agent", Self.userAgent)
        return .send(
            OutboundRequest(
                method: "POST", url: url, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds))
    }
}
