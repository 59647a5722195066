import Base
import FoundationEssentials

/// Signs outbound webhooks as Standard Webhooks v1 does: HMAC-SHA256 of `{id}.{timestamp}.{body}`
/// with each secret's key, sent as `v1,<base64>`, several space-separated while secrets rotate.
package enum StandardWebhooks {
    /// The message id header: the same on every attempt of one message, what receivers dedup on.
    package static let idHeader = "webhook-id"
    /// The attempt's time in Unix seconds.
    package static let timestampHeader = "webhook-timestamp"
    /// The space-separated `v1,<base64>` signatures.
    package static let signatureHeader = "webhook-signature"
    /// The version tag of an HMAC-SHA256 signature.
    package static let version = "v1"

    /// Why a message cannot be signed.
    package enum Failure: Error, Sendable, Equatable {
        /// The message id is empty.
        case emptyID
        /// The message id has a `.`, which would make the signed content ambiguous.
        case idContainsDot
        /// The message id has a byte outside visible ASCII, which has no place in a header.
        case idNotVisibleASCII
        /// No secret was given.
        case noSecrets
    }

    /// The three headers of a message `id` sent at `timestamp` (Unix seconds) with exactly `body`,
    /// signed once with each of `secrets`, in their order.
    ///
    /// The id must be non-empty visible ASCII (`!` to `~`) without `.`.
    package static func sign(
        id: String, timestamp: Int64, body: [UInt8], secrets: [StandardWebhookSecret]
    ) throws(Failure) -> StandardWebhookHeaders {
        guard !id.isEmpty else { throw .emptyID }
        guard id.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else { throw .idNotVisibleASCII }
        guard !id.utf8.contains(UInt8(ascii: ".")) else { throw .idContainsDot }
        guard !secrets.isEmpty else { throw .noSecrets }
        let content = Array("\(id).\(timestamp).".utf8) + body
        let signatures = secrets.map { secret in
            "\(version)," + Data(Crypto.hmacSHA256(key: secret.key, data: content)).base64EncodedString()
        }
        return StandardWebhookHeaders(
            id: id, timestamp: String(timestamp), signature: signatures.joined(separator: " "))
    }
}
