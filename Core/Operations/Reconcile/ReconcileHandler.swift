import Base
import Logging

/// `reconcile` as a function: each timer tick compares the last `RECONCILE_WINDOW` (default 24h)
/// of every configured provider with what was recorded and answers the report; it applies the
/// missed changes only when `RECONCILE_APPLY=true`. Safe to run from a schedule, several at once.
package struct ReconcileHandler: ScheduledHandler {
    let reconciler: Reconciler
    let seconds: Int
    let apply: Bool

    /// The handler the environment configures.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        let seconds = try context.config.duration("RECONCILE_WINDOW", default: "24h") / 1_000
        guard seconds > 0 else {
            throw ConfigError(variable: "RECONCILE_WINDOW", problem: "must be at least a second")
        }
        return ReconcileHandler(
            reconciler: try Reconciler(providers: nil, context: context), seconds: seconds,
            apply: try context.config.flag("RECONCILE_APPLY", default: false))
    }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        try answer(request, logger: logger).response
    }

    /// The report, with how the run ended and what it counted.
    package func answer(_ request: HTTPRequest, logger: Logger) throws -> Answer {
        let report = try reconciler.run(seconds: seconds, apply: apply, logger: logger)
        for failure in report.failures {
            logger.error(
                "reconcile could not read the provider; the next run tries again",
                metadata: [LogKey.provider: .string(failure.provider.rawValue), "error": .string(failure.reason)])
        }
        for difference in report.differences {
            logger.log(
                level: difference.applied == nil ? .warning : .info, "reconcile difference",
                metadata: [
                    "code": .string(difference.kind.rawValue), LogKey.provider: .string(difference.provider.rawValue),
                    "provider_id": .string(difference.providerID),
                    LogKey.outcome: .string(difference.applied?.rawValue ?? "not_applied"),
                ])
        }
        return Answer(
            .json(200, report),
            outcome: !report.failures.isEmpty
                ? "provider_unavailable" : report.differences.isEmpty ? "no_difference" : "differences",
            metrics: [
                "differences": report.differences.count, "unresolved": report.unresolved,
                "provider_failures": report.failures.count,
            ])
    }
}
