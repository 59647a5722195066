import Base
import Logging

/// A delivery refused before it was verified: counted, logged with a hint, answered with `error`.
package struct WebhookRefusal: Error {
    let reason: WebhookRejectionStore.Reason
    let claim: WebhookRejectionStore.Claim
    let error: APIError
    /// The log line's message and its extra keys (a hint of what to check).
    let message: String
    var metadata: Logger.Metadata

    package init(
        reason: WebhookRejectionStore.Reason, claim: WebhookRejectionStore.Claim, error: APIError, message: String,
        metadata: Logger.Metadata = [:]
    ) {
        self.reason = reason
        self.claim = claim
        self.error = error
        self.message = message
        self.metadata = metadata
    }
}
