import Base
import Logging

/// `webhook_rejections`: deliveries refused before they were verified, counted per provider,
/// reason and hour. A sender without the secret can raise a counter but never add a row per
/// request, so what a flood of forged deliveries costs the database is bounded; the last refused
/// claim is kept (shortened) so an operator can still see what was sent.
package struct WebhookRejectionStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// Why a delivery was refused before verification.
    package enum Reason: String, Sendable, CaseIterable, Codable {
        /// Stripe: the `Stripe-Signature` header does not verify.
        case signatureFailed = "signature_failed"
        /// Telegram: the `X-Telegram-Bot-Api-Secret-Token` header is missing or wrong.
        case invalidSecretToken = "invalid_secret_token"
        /// YooKassa: the source address is outside the trusted networks.
        case untrustedSource = "untrusted_source"
    }

    /// What the refused delivery claimed to be, unverified: kept only to show an operator.
    package struct Claim: Sendable {
        package var detail: String?
        package var eventType: String?
        package var eventID: String?

        package init(detail: String? = nil, eventType: String? = nil, eventID: String? = nil) {
            self.detail = detail
            self.eventType = eventType
            self.eventID = eventID
        }
    }

    private enum SQL {
        static let record = """
            INSERT INTO webhook_rejections (provider, reason, hour, count, last_detail, last_event_type, last_event_id)
            VALUES ($1, $2, date_trunc('hour', now()), 1, $3, $4, $5)
            ON CONFLICT (provider, reason, hour) DO UPDATE
                SET count = webhook_rejections.count + 1, last_seen_at = now(),
                    last_detail = excluded.last_detail, last_event_type = excluded.last_event_type,
                    last_event_id = excluded.last_event_id
            """
    }

    /// Counts one refused delivery.
    package func record(_ provider: Provider, _ reason: Reason, claim: Claim) throws {
        try connection.query(
            SQL.record,
            [
                provider.rawValue, reason.rawValue, claim.detail.map { BoundedText.prefix($0, 200) },
                claim.eventType.map { BoundedText.prefix($0, 64) }, claim.eventID.map { BoundedText.prefix($0, 64) },
            ])
    }

}

extension WebhookRejectionStore {
    /// Counts one refused delivery on `database`. The refusal stands whatever happens here: a
    /// database that cannot count it is logged, never turned into another answer.
    package static func count(_ provider: Provider, _ reason: Reason, claim: Claim, database: Database, logger: Logger)
    {
        do {
            try WebhookRejectionStore(connection: try database.connection()).record(provider, reason, claim: claim)
        } catch {
            logger.error(
                "refused delivery not counted", metadata: ["reason": .string(reason.rawValue), "error": "\(error)"])
        }
    }
}
