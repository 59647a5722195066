/// What the downstream stand-in does instead of its normal answer to the requests under a path
/// prefix: answer another status (with `Retry-After`), stall first, or both.
package struct DownstreamFault: Sendable, Equatable {
    /// How many requests a fault applies to.
    package enum Span: Sendable, Equatable {
        /// The next this many requests, then the normal answer again.
        case next(Int)
        /// Every request until told otherwise.
        case always
    }

    /// The status to answer instead of the normal one; nil keeps the normal answer.
    package var status: Int?
    /// Seconds for a `Retry-After` header on that answer.
    package var retryAfterSeconds: Int?
    /// How long to wait before answering.
    package var stallMilliseconds: Int
    /// How many requests it applies to.
    package var span: Span

    package init(status: Int? = nil, retryAfterSeconds: Int? = nil, stallMilliseconds: Int = 0, span: Span = .always) {
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.stallMilliseconds = stallMilliseconds
        self.span = span
    }

    /// The fault a `POST /control/fault` query asks for: `status`, `retry_after`, `stall_ms` and
    /// `times` (absent: always); nil when a value is not a number in range or neither a status
    /// nor a stall is asked for.
    init?(query request: ServerRequest) {
        var values: [String: Int] = [:]
        for (name, range) in [
            ("status", 100...599), ("retry_after", 0...86_400), ("stall_ms", 0...600_000), ("times", 1...1_000_000),
        ] {
            guard let text = request.parameter(name) else { continue }
            guard let value = Int(text), range.contains(value) else { return nil }
            values[name] = value
        }
        guard values["status"] != nil || values["stall_ms"] != nil else { return nil }
        self.init(
            status: values["status"], retryAfterSeconds: values["retry_after"],
            stallMilliseconds: values["stall_ms"] ?? 0, span: values["times"].map(Span.next) ?? .always)
    }
}
