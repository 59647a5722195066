import FoundationEssentials

/// A Standard Webhooks signing secret: `whsec_` and the standard base64 of the HMAC key. The key
/// is the decoded bytes, never the text.
///
/// What parses: the reference libraries take any non-empty key, the prefix optional, and the Go
/// and Rust ones insist on padded standard base64. This type asks for the prefix, canonical padded
/// standard base64 (`+/`, `=`; what every library reads) and at least ``minimumKeyBytes`` decoded
/// bytes. That loads secrets made elsewhere (Svix's documented test secret has 18 bytes) and
/// turns away placeholders and truncated pastes.
///
/// What is recommended: the spec asks for 24 to 64 random bytes. ``checkRecommendedLength()`` is
/// that stricter check, for the secrets this project is configured to sign with; signing itself
/// takes any parsed secret.
package struct StandardWebhookSecret: Sendable, CustomStringConvertible {
    /// Why a text is not a usable secret.
    package enum Failure: Error, Sendable, Equatable {
        /// It does not start with `whsec_`.
        case missingPrefix
        /// What follows the prefix is not canonical padded standard base64.
        case notBase64
        /// The key has fewer than ``StandardWebhookSecret/minimumKeyBytes`` bytes.
        case tooShort(keyBytes: Int)
        /// The key is outside ``StandardWebhookSecret/recommendedKeyBytes``.
        case outsideRecommendedLength(keyBytes: Int)
    }

    /// The prefix that marks a Standard Webhooks symmetric secret.
    package static let prefix = "whsec_"
    /// The fewest key bytes a secret may have: 128 bits.
    package static let minimumKeyBytes = 16
    /// The key lengths the spec recommends for new secrets.
    package static let recommendedKeyBytes = 24...64

    /// The HMAC-SHA256 key.
    package let key: [UInt8]

    /// Parses `whsec_<base64>`.
    package init(_ text: String) throws(Failure) {
        guard text.hasPrefix(Self.prefix) else { throw .missingPrefix }
        let encoded = String(text.dropFirst(Self.prefix.count))
        guard let decoded = Data(base64Encoded: encoded), decoded.base64EncodedString() == encoded else {
            throw .notBase64
        }
        guard decoded.count >= Self.minimumKeyBytes else { throw .tooShort(keyBytes: decoded.count) }
        key = Array(decoded)
    }

    /// Throws unless the key has a length the spec recommends (24 to 64 bytes).
    package func checkRecommendedLength() throws(Failure) {
        guard Self.recommendedKeyBytes.contains(key.count) else { throw .outsideRecommendedLength(keyBytes: key.count) }
    }

    /// The key's length, never the key.
    package var description: String { "\(Self.prefix)… (\(key.count) bytes)" }
}
