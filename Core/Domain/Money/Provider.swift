/// The payment providers whose webhooks this project receives, as stored in `provider` columns
/// and logged under `provider`.
package enum Provider: String, Sendable, CaseIterable, Codable {
    case yookassa
    case stripe
    case telegram

    /// The name people know the provider by, as in "Stripe webhook received".
    package var displayName: String {
        switch self {
        case .yookassa: "YooKassa"
        case .stripe: "Stripe"
        case .telegram: "Telegram"
        }
    }
}
