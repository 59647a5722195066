import Base
import Logging

/// The steps one webhook delivery went through: each is logged as it happens, with the
/// delivery's ids (`LogKey`), and the whole list is stored on the event's `webhook_events` row.
package struct WebhookTrail: Sendable {
    private var logger: Logger
    private var steps: [JSONValue] = []

    /// A trail whose log lines carry `provider`.
    package init(logger: Logger, provider: Provider) {
        self.logger = logger
        self.logger[metadataKey: LogKey.provider] = .string(provider.rawValue)
    }

    /// Adds an id (a `LogKey`) to every later line, once it is known.
    package mutating func identify(_ key: String, _ value: String) {
        logger[metadataKey: key] = .string(value)
    }

    /// Logs `step` and records it with its result and detail; `extra` goes to the log line only.
    package mutating func step(
        _ step: WebhookStep, result: StepResult = .ok, detail: String? = nil, level: Logger.Level = .info,
        extra: Logger.Metadata = [:]
    ) {
        var metadata = extra
        metadata[LogKey.step] = .string(step.rawValue)
        metadata[LogKey.stepResult] = .string(result.rawValue)
        var entry: [String: JSONValue] = ["step": .string(step.rawValue), "outcome": .string(result.rawValue)]
        if let detail {
            metadata[LogKey.detail] = .string(detail)
            entry["detail"] = .string(detail)
        }
        logger.log(level: level, "\(step.rawValue)", metadata: metadata)
        steps.append(.object(entry))
    }

    /// The steps so far as a JSON array.
    package var stepsJSON: JSONValue { .array(steps) }

    /// The trail's logger, for lines that are not steps.
    package var log: Logger { logger }
}
