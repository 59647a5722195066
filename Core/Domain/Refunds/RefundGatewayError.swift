import Logging

/// Why a provider's refund call gave no refund.
package enum RefundGatewayError: Error, Sendable, Equatable {
    /// The provider refused (a 4xx other than 409 and 429): asking again the same way cannot help.
    /// `permission` names what a restricted key lacks, when that was the reason.
    case rejected(status: Int, message: String, permission: String? = nil)
    /// No answer, 5xx, 409 (the same key in flight), 429 or still processing: the refund may or
    /// may not exist; the same call resumes it.
    case unavailable(String)
    /// This payment cannot be refunded through the API (the provider knows it by no refundable id).
    case notRefundable(String)
}
