import Core
import Foundation

/// Checks Standard Webhooks headers as the reference libraries do, written apart from the signer
/// in Core so that each checks the other: the timestamp within 300 s either way, then any `v1`
/// signature in `webhook-signature` matching HMAC-SHA256 of `{id}.{timestamp}.{body}` under any
/// secret, compared in constant time. Other versions and malformed entries are skipped; the
/// timestamp is signed as the number it parses to, as the libraries do.
package struct StandardWebhookVerifier: Sendable {
    /// Why a delivery does not verify.
    package enum Failure: Error, Sendable, Equatable {
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is missing or empty.
        case missingHeaders
        /// `webhook-timestamp` is not a whole number.
        case invalidTimestamp
        /// The timestamp is more than the tolerance in the past.
        case timestampTooOld
        /// The timestamp is more than the tolerance in the future.
        case timestampTooNew
        /// No `v1` signature matches any secret.
        case noMatchingSignature

        /// A short machine name, for `GET /received`.
        package var code: String {
            switch self {
            case .missingHeaders: "missing_headers"
            case .invalidTimestamp: "invalid_timestamp"
            case .timestampTooOld: "timestamp_too_old"
            case .timestampTooNew: "timestamp_too_new"
            case .noMatchingSignature: "no_matching_signature"
            }
        }
    }

    /// How far the signed time may be from now, either way.
    package static let toleranceSeconds: Int64 = 300

    private let keys: [[UInt8]]

    package init(secrets: [StandardWebhookSecret]) { keys = secrets.map(\.key) }

    /// Checks a delivery of `body` with `headers` at `now` (Unix seconds).
    package func verify(headers: HTTPHeaders, body: [UInt8], now: Int64) throws(Failure) {
        guard let id = headers[StandardWebhooks.idHeader], !id.isEmpty,
            let timestampText = headers[StandardWebhooks.timestampHeader], !timestampText.isEmpty,
            let signatures = headers[StandardWebhooks.signatureHeader], !signatures.isEmpty
        else { throw .missingHeaders }
        guard let timestamp = Int64(timestampText) else { throw .invalidTimestamp }
        if timestamp < now - Self.toleranceSeconds { throw .timestampTooOld }
        if timestamp > now + Self.toleranceSeconds { throw .timestampTooNew }
        let offered = signatures.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == StandardWebhooks.version else { return nil }
            return Data(base64Encoded: String(parts[1])).map(Array.init)
        }
        let content = Array("\(id).\(timestamp).".utf8) + body
        let matched = keys.contains { key in
            let expected = Crypto.hmacSHA256(key: key, data: content)
            return offered.contains { Crypto.constantTimeEquals($0, expected) }
        }
        guard matched else { throw .noMatchingSignature }
    }
}
