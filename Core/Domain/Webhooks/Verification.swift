/// How a delivery's authenticity was established, as stored in `webhook_events.verification`.
package enum Verification: String, Sendable, CaseIterable, Codable {
    /// Stripe: the `Stripe-Signature` HMAC verified.
    case signature
    /// Telegram: the `X-Telegram-Bot-Api-Secret-Token` header matched.
    case secretToken = "secret_token"
    /// YooKassa: the source address is in its networks.
    case ip
    /// YooKassa: the object was read back from the API, whose answer was applied.
    case api
    /// YooKassa: both.
    case ipAndAPI = "ip+api"
    /// YooKassa with verification turned off (local development only).
    case none
    /// Not a delivery: a change an operator's reconciliation found at the provider.
    case reconcile
}
