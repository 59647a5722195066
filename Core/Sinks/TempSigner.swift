import FoundationEssentials

package struct StandardWebhookSecret: Sendable {
    package let key: [UInt8]
    package init(_ text: String) throws {
        guard text.hasPrefix("whsec_"), let data = Data(base64Encoded: String(text.dropFirst(6))) else {
            throw ConfigError(variable: "x", problem: "y")
        }
        key = Array(data)
    }
}

package enum StandardWebhooks {
    package static func headers(
        id: String, timestamp: Int64, body: [UInt8], secrets: [StandardWebhookSecret]
    ) throws
        -> HTTPHeaders
    {
        let content = Array("\(id).\(timestamp).".utf8) + body
        let signatures = secrets.map {
            "v1," + Data(Crypto.hmacSHA256(key: $0.key, data: content)).base64EncodedString()
        }
        return HTTPHeaders([
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signatures.joined(separator: " ")),
        ])
    }
}
