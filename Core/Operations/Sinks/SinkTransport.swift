import Base

/// What a kind of sink does with one claimed delivery: the request for one attempt, and what the
/// receiver's answer means. Each kind is one type holding its own configuration; the relay only
/// claims, sends what `request` makes, schedules by `answer` and records.
package protocol SinkTransport: Sendable {
    /// The request for one attempt at `event` at `now` (Unix seconds), taking at most
    /// `timeoutMilliseconds`, or the answer when no request can be made.
    func request(_ event: OutboundEvent, timeoutMilliseconds: Int, now: Int64) -> SinkRequest

    /// What the receiver's answer means at `now` (Unix seconds).
    func answer(_ response: OutboundResponse, now: Int64) -> SinkAnswer
}

extension SinkTransport {
    /// Sent with every call, so receivers can tell the relay's requests apart.
    static var userAgent: String { "payment-functions-relay/1" }

    /// The status code decides, and a `Retry-After` header is honoured.
    package func answer(_ response: OutboundResponse, now: Int64) -> SinkAnswer {
        SinkAnswer.classify(response, now: now)
    }
}
