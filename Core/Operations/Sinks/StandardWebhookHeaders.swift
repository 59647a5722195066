import Base
import FoundationEssentials

/// The Standard Webhooks headers of one attempt.
package struct StandardWebhookHeaders: Sendable {
    /// `webhook-id`.
    package let id: String
    /// `webhook-timestamp`.
    package let timestamp: String
    /// `webhook-signature`.
    package let signature: String

    /// The three as header fields, to add to a request.
    package var fields: HTTPHeaders {
        HTTPHeaders([
            (StandardWebhooks.idHeader, id), (StandardWebhooks.timestampHeader, timestamp),
            (StandardWebhooks.signatureHeader, signature),
        ])
    }
}
