/// How one step went: logged under `step_result`, stored beside the step's name. A step that
/// decides the delivery's outcome records that outcome as its result.
package struct StepResult: RawRepresentable, Hashable, Sendable {
    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    /// The step went as it should.
    package static let ok = StepResult(rawValue: "ok")
    /// Deduplication: the first delivery of the event.
    package static let new = StepResult(rawValue: "new")
    /// Deduplication: a later delivery of an event whose first one may run again.
    package static let redelivered = StepResult(rawValue: "redelivered")
    /// The notification's copy of the object differs from the API's.
    package static let differs = StepResult(rawValue: "differs")
    /// The API does not know the object.
    package static let notFound = StepResult(rawValue: "not_found")
    /// The API could not be asked.
    package static let unavailable = StepResult(rawValue: "unavailable")
    /// A pre-checkout query answered no.
    package static let declined = StepResult(rawValue: "declined")
    /// A verified body that is not an event.
    package static let invalidEvent = StepResult(rawValue: "invalid_event")
    /// An event that names no payment and amount.
    package static let noPayment = StepResult(rawValue: "no_payment")
    /// A subscription payment whose period is not known (made before periods were kept).
    package static let noPeriod = StepResult(rawValue: "no_period")

    /// The result of the step that decided `outcome`.
    package static func decided(_ outcome: WebhookOutcome) -> StepResult { StepResult(rawValue: outcome.rawValue) }
}
