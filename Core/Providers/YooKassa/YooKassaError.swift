import Base

/// Why a YooKassa call did not give an object, each with the answer the function gives for it.
package enum YooKassaError: Error, Sendable, Equatable {
    /// YooKassa refused the request (4xx other than 429): retrying the same request cannot help.
    case rejected(status: Int, code: String, parameter: String?)
    /// 5xx, 429 or no connection until the budget ran out.
    case unavailable(lastStatus: Int?)
    /// Still answering 202 "processing" when the budget ran out.
    case processing
    /// No answer within the budget.
    case timedOut
    /// An answer this code cannot read.
    case badResponse

    /// The answer a function gives when its provider call failed this way.
    package var apiError: APIError {
        switch self {
        case .rejected(_, let code, let parameter):
            let about = parameter.map { " (parameter \($0))" } ?? ""
            return APIError(502, "provider_rejected", "YooKassa rejected the request: \(code)\(about).")
        case .unavailable:
            return APIError(
                503, "provider_unavailable", "YooKassa is unavailable; retry the same request later.",
                headers: HTTPHeaders([("Retry-After", "10")]))
        case .processing:
            return APIError(
                503, "provider_processing", "YooKassa is still processing the request; retry the same request later.",
                headers: HTTPHeaders([("Retry-After", "2")]))
        case .timedOut:
            return APIError(504, "provider_timeout", "YooKassa did not answer in time; retry the same request later.")
        case .badResponse:
            return APIError(502, "provider_bad_response", "YooKassa answered with something that could not be read.")
        }
    }
}
