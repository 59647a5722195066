import Base
import Glibc

/// How one attempt at a delivery ended, as a sink transport reports it.
package enum SinkAnswer: Sendable, Equatable {
    /// The receiver took it (any 2xx).
    case delivered(statusCode: Int)
    /// Worth another attempt on the schedule: a timeout, a broken connection, a 5xx, 408, 425 or
    /// 429; `retryAfter` (milliseconds) when the receiver asked for a pause.
    case failed(statusCode: Int?, error: String, retryAfter: Int? = nil)
    /// No attempt can succeed: another 4xx, a redirect, or nobody to send to (`no_recipient`).
    case refused(statusCode: Int?, error: String)

    /// The error of an attempt that found no recipient (a Telegram sink for a buyer whose chat is unknown).
    package static let noRecipient = "no_recipient"

    /// What an HTTP answer means for a delivery at `now` (Unix seconds). `bodyRetryAfter`, a pause
    /// the sink read from the body, wins over the `Retry-After` header; both are bounded to a day.
    package static func classify(
        _ response: OutboundResponse, retryAfter bodyRetryAfter: Int? = nil, now: Int64 = Int64(time(nil))
    ) -> SinkAnswer {
        let status = response.status
        switch status {
        case 200...299:
            return .delivered(statusCode: status)
        case 408, 425, 429, 500...599:
            let header = response.headers["Retry-After"].flatMap { RetryAfter.milliseconds(header: $0, now: now) }
            return .failed(statusCode: status, error: "HTTP \(status)", retryAfter: bodyRetryAfter ?? header)
        case 300...399:
            return .refused(statusCode: status, error: "HTTP \(status): redirects are not followed")
        default:
            return .refused(statusCode: status, error: "HTTP \(status)")
        }
    }

    /// What a transport failure means: always worth another attempt.
    package static func transport(_ error: TransportError) -> SinkAnswer {
        switch error {
        case .timedOut: .failed(statusCode: nil, error: "timed out")
        case .connectionFailed(let detail): .failed(statusCode: nil, error: "connection failed: \(detail)")
        case .failed(let detail): .failed(statusCode: nil, error: detail)
        }
    }

    /// The status code answered, if any.
    var statusCode: Int? {
        switch self {
        case .delivered(let code): code
        case .failed(let code, _, _), .refused(let code, _): code
        }
    }
}
