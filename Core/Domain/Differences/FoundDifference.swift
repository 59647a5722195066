import Logging

/// A difference as a provider's reconciler finds it, with the way to apply it when it can be.
package struct FoundDifference {
    package var difference: Difference
    /// Applies it through the webhook pipeline; nil when it is for an operator to settle.
    package let apply: (() throws -> WebhookOutcome)?

    package init(difference: Difference, apply: (() throws -> WebhookOutcome)?) {
        self.difference = difference
        self.apply = apply
    }
}
