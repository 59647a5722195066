import Base
import Domain

/// The `user-service` sink: the subscription call of the user service at `url`, for
/// `subscription_paid` (`status: active`) and `subscription_revoked` (`status: revoked`, the new
/// `expires_at`). The delivery id is the `Idempotency-Key`, so a retried call changes nothing twice.
package struct UserServiceSink: SinkTransport {
    /// The user service's base URL.
    package let url: String
    /// Its bearer token, when it asks for one.
    package let token: String?

    /// The event types it can act on.
    static let understands: Set<DomainEventType> = [.subscriptionPaid, .subscriptionRevoked]

    private struct Body: Encodable {
        let plan_id: String
        let duration_days: Int64
        let payment_id: String
        let activated_at: String
        let expires_at: String
        let status: String
    }

    /// The request for one attempt, or the answer when the event cannot make one.
    package func request(_ event: OutboundEvent, timeoutMilliseconds: Int, now: Int64) -> SinkRequest {
        let status: String
        switch event.type {
        case .subscriptionPaid: status = "active"
        case .subscriptionRevoked: status = "revoked"
        default:
            return .answered(.refused(statusCode: nil, error: "a user-service sink takes subscription events only"))
        }
        guard let userID = event.text("user_id"), let planID = event.text("plan_id"),
            let paymentID = event.text("payment_id"), case .int(let days) = event.payload["period_days"],
            let activatedAt = event.text("activated_at"), let expiresAt = event.text("expires_at")
        else {
            return .answered(
                .refused(
                    statusCode: nil,
                    error: "the event lacks user_id, plan_id, payment_id, period_days, activated_at or expires_at"))
        }
        let body = Body(
            plan_id: planID, duration_days: days, payment_id: paymentID, activated_at: activatedAt,
            expires_at: expiresAt, status: status)
        var headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("Idempotency-Key", String(event.deliveryID)),
            ("User-Agent", Self.userAgent),
        ])
        if let token { headers.add("Authorization", "Bearer \(token)") }
        guard let bytes = try? JSONCoding.encode(body) else {
            return .answered(.refused(statusCode: nil, error: "the call could not be encoded"))
        }
        return .send(
            OutboundRequest(
                method: "POST", url: "\(url)/api/v1/users/\(PercentEncoding.component(userID))/subscription",
                headers: headers, body: bytes, timeoutMilliseconds: timeoutMilliseconds))
    }
}
