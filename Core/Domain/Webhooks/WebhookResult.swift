import Base
import Logging

/// How a delivery ended, and what is recorded with it.
package struct WebhookResult {
    package var outcome: WebhookOutcome
    /// The provider object's status and amount as this delivery saw them.
    package var objectStatus: String?
    package var amount: Money?
    /// Why the delivery failed or was set aside, for operators.
    package var error: String?
    /// An answer other than `{"outcome": …}` (Telegram's `answerPreCheckoutQuery`).
    package var answer: HTTPResponse?

    package init(
        outcome: WebhookOutcome, objectStatus: String? = nil, amount: Money? = nil, error: String? = nil,
        answer: HTTPResponse? = nil
    ) {
        self.outcome = outcome
        self.objectStatus = objectStatus
        self.amount = amount
        self.error = error
        self.answer = answer
    }
}
