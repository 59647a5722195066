/// The shape each kind of secret has, checked when the function starts, so a placeholder, a
/// truncated paste or a one-character token is a configuration error naming its variable instead
/// of a weak secret in production.
package enum SecretShape: Sendable {
    /// Stripe's endpoint signing secret: `whsec_` and at least 8 more characters.
    case stripeWebhookSecret
    /// A Stripe secret or restricted key: `sk_` or `rk_`, `live_` or `test_`, at least 8 more.
    case stripeAPIKey
    /// A YooKassa secret key: `live_` or `test_` and at least 8 more characters.
    case yookassaSecretKey
    /// A Telegram bot token: the bot's numeric id, a colon, at least 30 token characters.
    case telegramBotToken
    /// `setWebhook`'s `secret_token`: 16 to 256 of `A-Z a-z 0-9 _ -` (Telegram allows 1, this
    /// project asks for enough to resist guessing).
    case telegramWebhookSecret

    /// Whether `value` has this shape.
    package func matches(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        switch self {
        case .stripeWebhookSecret:
            return Self.tail(bytes, afterAnyOf: ["whsec_"], minimum: 8, allowed: ASCII.isBase64)
        case .stripeAPIKey:
            return Self.tail(
                bytes, afterAnyOf: ["sk_live_", "sk_test_", "rk_live_", "rk_test_"], minimum: 8, allowed: ASCII.isToken)
        case .yookassaSecretKey:
            return Self.tail(bytes, afterAnyOf: ["live_", "test_"], minimum: 8, allowed: ASCII.isToken)
        case .telegramBotToken:
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon >= 5,
                bytes[..<colon].allSatisfy(ASCII.isDigit)
            else { return false }
            return bytes.count - colon - 1 >= 30 && bytes[(colon + 1)...].allSatisfy(ASCII.isToken)
        case .telegramWebhookSecret:
            return (16...256).contains(bytes.count) && bytes.allSatisfy(ASCII.isToken)
        }
    }

    /// What the value must look like, for the configuration error.
    package var requirement: String {
        switch self {
        case .stripeWebhookSecret: "must be whsec_ followed by at least 8 characters (the endpoint's signing secret)"
        case .stripeAPIKey:
            "must be a Stripe key: sk_live_, sk_test_, rk_live_ or rk_test_ followed by at least 8 characters"
        case .yookassaSecretKey: "must be a YooKassa secret key: live_ or test_ followed by at least 8 characters"
        case .telegramBotToken: "must be a bot token as BotFather gives it: digits, a colon and at least 30 characters"
        case .telegramWebhookSecret: "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -"
        }
    }

    private static func tail(
        _ bytes: [UInt8], afterAnyOf prefixes: [String], minimum: Int, allowed: (UInt8) -> Bool
    ) -> Bool {
        prefixes.contains { prefix in
            let head = Array(prefix.utf8)
            return bytes.count >= head.count + minimum && bytes.starts(with: head)
                && bytes[head.count...].allSatisfy(allowed)
        }
    }
}

extension Config {
    /// The secret in `name`, which must have `shape`; unset, empty or misshapen is an error that
    /// names the variable and never shows the value.
    package func secret(_ name: String, _ shape: SecretShape) throws -> String {
        let value = try required(name)
        guard shape.matches(value) else { throw ConfigError(variable: name, problem: shape.requirement) }
        return value
    }
}
