import Logging

/// The steps one webhook delivery went through: each is logged as it happens, with the
/// event's ids, and the whole list is stored on the event's `webhook_events` row.
public struct WebhookTrail {
    private var logger: Logger
    private var steps: [JSONValue] = []

    /// A trail whose log lines carry `ids` (event id, type, deal, session, payment ids).
    public init(logger: Logger, ids: [String: String]) {
        self.logger = logger
        for (key, value) in ids { self.logger[metadataKey: key] = .string(value) }
    }

    /// Adds an id to every later line, once it is known.
    public mutating func identify(_ key: String, _ value: String) {
        logger[metadataKey: key] = .string(value)
    }

    /// Logs `name` and records it with its outcome and detail; `extra` goes to the log line only.
    public mutating func step(_ name: String, outcome: String = "ok", detail: String? = nil, level: Logger.Level = .info,
                              extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = extra.merging(["step": .string(name), "outcome": .string(outcome)]) { _, new in new }
        var entry: [String: JSONValue] = ["step": .string(name), "outcome": .string(outcome)]
        if let detail {
            metadata["detail"] = .string(detail)
            entry["detail"] = .string(detail)
        }
        logger.log(level: level, "\(name)", metadata: metadata)
        steps.append(.object(entry))
    }

    /// Runs `body` in one transaction on a copy of this trail, so the steps of an attempt that is
    /// rolled back and retried are not recorded twice; returns the result and the trail of the
    /// attempt that committed.
    public func transaction<T>(on connection: PGConnection, _ body: (inout WebhookTrail) throws -> T) throws -> (T, WebhookTrail) {
        try connection.transaction {
            var attempt = self
            let value = try body(&attempt)
            return (value, attempt)
        }
    }

    /// The steps so far as a JSON array.
    public var stepsJSON: JSONValue { .array(steps) }

    /// The trail's logger, for lines that are not steps.
    public var log: Logger { logger }
}
