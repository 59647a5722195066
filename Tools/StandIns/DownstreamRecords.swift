import Foundation

/// One request to a webhook receiver of the downstream stand-in, whether or not it verified.
package struct ReceivedWebhook: Sendable {
    /// The receiver's name: `/hooks/<name>`.
    package let receiver: String
    /// `webhook-id`, as sent.
    package let id: String?
    /// `webhook-timestamp`, when it is a number.
    package let timestamp: Int64?
    /// The body's top-level `type`, when the body is a JSON object with one.
    package let type: String?
    /// The exact body.
    package let body: [UInt8]
    /// Why the signature did not verify; nil when it did.
    package let failure: StandardWebhookVerifier.Failure?
    /// The status answered.
    package let status: Int
    /// When it arrived.
    package let arrivedAt: Date

    /// Whether the signature verified.
    package var verified: Bool { failure == nil }

    /// The entry `GET /received` lists.
    var json: [String: Any] {
        [
            "kind": "webhook", "receiver": receiver, "id": id ?? NSNull(), "timestamp": timestamp ?? NSNull(),
            "type": type ?? NSNull(), "body": String(decoding: body, as: UTF8.self), "verified": verified,
            "failure": failure?.code ?? NSNull(), "status": status, "arrived_at": arrivedAt.timeIntervalSince1970,
        ]
    }
}

/// One call to the user-service's `POST /api/v1/users/{user_id}/subscription`.
package struct SubscriptionCall: Sendable {
    /// The `{user_id}` of the path, percent-decoded.
    package let userID: String
    /// The exact body.
    package let body: [UInt8]
    /// The `Authorization` header.
    package let authorization: String?
    /// The `Idempotency-Key` header.
    package let idempotencyKey: String?
    /// The status answered.
    package let status: Int
    /// When it arrived.
    package let arrivedAt: Date

    /// The entry `GET /received` lists.
    var json: [String: Any] {
        [
            "kind": "subscription", "user_id": userID, "body": String(decoding: body, as: UTF8.self),
            "authorization": authorization ?? NSNull(), "idempotency_key": idempotencyKey ?? NSNull(),
            "status": status, "arrived_at": arrivedAt.timeIntervalSince1970,
        ]
    }
}
