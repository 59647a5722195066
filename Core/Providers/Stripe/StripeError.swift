/// Why a Stripe API call gave no result.
package enum StripeError: Error, Sendable, Equatable {
    /// Stripe refused the request (4xx): its status, message and error code (which, unlike the
    /// message, never echoes the key).
    case rejected(status: Int, message: String, code: String?)
    /// No answer, or a 5xx.
    case unavailable(String)
    /// An answer this code cannot read.
    case badResponse
}
