import Base
import FoundationEssentials

/// One row of `refunds`: money given back, or asked to be, for one payment.
package struct RefundRecord: Sendable, Equatable, Encodable {
    package let id: UUID
    package let paymentID: UUID
    package let provider: Provider
    /// The provider's id (`re_…`, YooKassa's refund id) once known.
    package let providerRefundID: String?
    package let amount: Money
    package let status: RefundStatus
    package let reason: String?
    /// The operator who asked for it; nil for a refund made at the provider (its dashboard).
    package let requestedBy: String?
    /// What the provider said when it refused.
    package let error: String?
    package let createdAt: String

    /// The metadata a provider keeps with the refund it makes for this row, so its answer,
    /// notification or event names the row even when the answer was lost.
    package var metadata: [String: String] {
        ["refund_id": id.uuidString.lowercased(), "payment_id": paymentID.uuidString.lowercased()]
    }

    /// The local id a provider echoes back in a refund's `metadata.refund_id`.
    package static func localID(in value: JSONValue?) -> UUID? {
        guard case .string(let text) = value else { return nil }
        return UUID(uuidString: text)
    }

    /// The key the provider deduplicates the request by: the same for every retry of this refund.
    package var idempotencyKey: String { "refund-\(id.uuidString.lowercased())" }

    enum CodingKeys: String, CodingKey {
        case id, provider, amount, status, reason, error
        case paymentID = "payment_id"
        case providerRefundID = "provider_refund_id"
        case requestedBy = "requested_by"
        case createdAt = "created_at"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(paymentID.uuidString.lowercased(), forKey: .paymentID)
        try container.encode(provider, forKey: .provider)
        try container.encodeIfPresent(providerRefundID, forKey: .providerRefundID)
        try container.encode(AmountBody(amount), forKey: .amount)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(requestedBy, forKey: .requestedBy)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
