/// Where a refund stands. A local refund starts `pending` before its provider is asked; the
/// provider's answer, notification or event moves it on, once.
package enum RefundStatus: String, Sendable, Codable, CaseIterable {
    /// Written, or accepted by the provider and not yet final.
    case pending
    /// The money went back; counted in the payment's `amount_refunded`.
    case succeeded
    /// Refused or canceled by the provider; nothing went back.
    case failed
}
