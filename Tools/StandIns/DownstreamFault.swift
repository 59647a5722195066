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
    /// The `Retry-After` header on that answer, as sent: delay-seconds, an HTTP-date, or
    /// anything a hostile receiver might write.
    package var retryAfter: String?
    /// How long to wait before answering.
    package var stallMilliseconds: Int
    /// How many requests it applies to.
    package var span: Span

    package init(status: Int? = nil, retryAfter: String? = nil, stallMilliseconds: Int = 0, span: Span = .always) {
        self.status = status
        self.retryAfter = retryAfter
        self.stallMilliseconds = stallMilliseconds
        self.span = span
    }

    /// The fault a `POST /control/fault` query asks for: `status`, `retry_after` (any text up to
    /// 128 characters), `stall_ms` and `times` (absent: always); nil when a number is not in range
    /// or neither a status nor a stall is asked for.
    init?(query request: ServerRequest) {
        var values: [String: Int] = [:]
        for (name, range) in [
            ("status", 100...599), ("stall_ms", 0...600_000), ("times", 1...1_000_000),
        ] {
            guard let text = request.parameter(name) else { continue }
            guard let value = Int(text), range.contains(value) else { return nil }
            values[name] = value
        }
        guard values["status"] != nil || values["stall_ms"] != nil,
            (request.parameter("retry_after")?.count ?? 0) <= 128
        else { return nil }
        self.init(
            status: values["status"], retryAfter: request.parameter("retry_after"),
            stallMilliseconds: values["stall_ms"] ?? 0, span: values["times"].map(Span.next) ?? .always)
    }
}
