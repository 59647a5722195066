import Domain

/// The short message a Telegram sink sends for each kind of event: plain text, no markup, built
/// only from the event's own fields.
enum NotificationText {
    /// The message for `event`.
    static func message(for event: OutboundEvent) -> String {
        let amount = event.data["amount"].flatMap { if case .string(let text) = $0 { text } else { nil } }
        let currency = event.text("currency") ?? ""
        let price = amount.map { currency == Currency.xtr.code ? "\($0) ⭐" : "\($0) \(currency)" } ?? ""
        switch event.type {
        case .purchaseSucceeded:
            return "Payment received: \(event.text("item_id") ?? "your purchase"), \(price). Thank you!"
        case .purchaseRefundDue: return "A second payment of \(price) was received and will be refunded."
        case .purchaseFailed: return "Your purchase of \(event.text("item_id") ?? "an item") did not go through."
        case .bookingPaid:
            return
                "Booking \(event.text("appointment_id") ?? "") paid: \(price) for \(event.text("service_slug") ?? "")."
        case .bookingPaidTwice:
            return
                "Booking \(event.text("appointment_id") ?? "") was paid twice: \(price) will be refunded."
        case .subscriptionPaid:
            return "Subscription \(event.text("plan_id") ?? "") active until \(event.text("expires_at") ?? "")."
        case .subscriptionRevoked:
            return "Subscription \(event.text("plan_id") ?? "") revoked; now ends \(event.text("expires_at") ?? "")."
        case .paymentFailed, .dealPaymentFailed: return "A payment of \(price) failed."
        case .paymentRefunded, .dealRefunded: return "A payment of \(price) was refunded."
        case .dealPaid: return "Deal \(event.text("deal_id") ?? "") paid: \(price)."
        default: return "\(event.type.rawValue): \(event.aggregateType.rawValue) \(event.aggregateID) \(price)"
        }
    }
}
