import Base

/// Why a Telegram Bot API call gave no result, each with the answer the function gives for it.
package enum TelegramError: Error, Sendable, Equatable {
    case rejected(code: Int, description: String)
    case unavailable
    case timedOut
    case badResponse

    package var apiError: APIError {
        switch self {
        case .rejected(let code, let description):
            APIError(502, "provider_rejected", "Telegram refused the invoice (\(code)): \(description).")
        case .unavailable:
            APIError(
                503, "provider_unavailable", "Telegram is unavailable; retry later.",
                headers: HTTPHeaders([("Retry-After", "5")]))
        case .timedOut:
            APIError(504, "provider_timeout", "Telegram did not answer in time; retry later.")
        case .badResponse:
            APIError(502, "provider_bad_response", "Telegram answered with something that could not be read.")
        }
    }
}
