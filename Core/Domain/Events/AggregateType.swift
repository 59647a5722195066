import Base

/// The kinds of thing a domain event is about; deliveries keep the order of each one's events.
package enum AggregateType: String, Sendable, Codable, CaseIterable {
    /// A YooKassa or Stripe payment (bookings, subscriptions, deals).
    case payment
    /// A Telegram Stars purchase.
    case purchase
}
