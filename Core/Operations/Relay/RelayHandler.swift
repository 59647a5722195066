import Base
import Logging

/// `events-relay` as a function: each timer tick (an EventBridge schedule event or `{}`)
/// delivers what is due until nothing is or `RELAY_BUDGET_MS` (default 20 000) is spent, and
/// answers `{"delivered", "retrying", "dead", "due", "sinks_disabled"}`.
package struct RelayHandler: ScheduledHandler {
    let relay: Relay
    let budget: Int

    /// The handler the environment configures.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        RelayHandler(
            relay: Relay(settings: try Relay.Settings(context.config)),
            budget: try context.config.integer("RELAY_BUDGET_MS", default: 20_000, in: 100...900_000))
    }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        try answer(request, logger: logger).response
    }

    /// The summary, reported with the deliveries it counts.
    package func answer(_ request: HTTPRequest, logger: Logger) throws -> Answer {
        let summary = try relay.drain(budget: budget, logger: logger)
        logger.info(
            "relay drained",
            metadata: [
                "delivered": .stringConvertible(summary.delivered), "retrying": .stringConvertible(summary.retrying),
                "dead": .stringConvertible(summary.dead), "due": .stringConvertible(summary.due),
                "sinks_disabled": .stringConvertible(summary.sinksDisabled),
            ])
        return Answer(
            .json(200, summary), outcome: "drained",
            metrics: [
                "delivered": summary.delivered, "retrying": summary.retrying, "dead": summary.dead,
                "sinks_disabled": summary.sinksDisabled,
            ])
    }
}
