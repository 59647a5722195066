/// How one webhook delivery ended: the text stored in `webhook_events.outcome`, logged as
/// `outcome`, and read back by payctl. The constants are the whole vocabulary; each says how much
/// an operator should care and whether a redelivery of the same event may apply it again.
package struct WebhookOutcome: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// How much an operator should care about an outcome.
    package enum Severity: Sendable, Comparable {
        /// Normal operation: nothing to do.
        case fine
        /// Worth knowing, not wrong by itself (another account's event, a declined pre-checkout).
        case notice
        /// Somebody should look: the event's effect did not happen as it should.
        case problem
    }

    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    package var description: String { rawValue }

    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The effect was applied.
    package static let processed = WebhookOutcome(rawValue: "processed")
    /// An earlier delivery of this event decided it already.
    package static let duplicate = WebhookOutcome(rawValue: "duplicate")
    /// An event type this endpoint does not act on; acknowledged.
    package static let ignored = WebhookOutcome(rawValue: "ignored")
    /// The object is already in the status the event reports.
    package static let noChange = WebhookOutcome(rawValue: "no_change")
    /// A late event that would move a status backwards; recorded, not applied.
    package static let outOfOrderIgnored = WebhookOutcome(rawValue: "out_of_order_ignored")
    /// The provider's API does not (yet) confirm what the notification claims; nothing applied.
    package static let notConfirmed = WebhookOutcome(rawValue: "not_confirmed")
    /// The event names a payment this shop does not know (yet).
    package static let unknownPayment = WebhookOutcome(rawValue: "unknown_payment")
    /// The provider reported a status this code does not know.
    package static let unknownStatus = WebhookOutcome(rawValue: "unknown_status")
    /// The event's amount or currency differs from the recorded payment's.
    package static let amountMismatch = WebhookOutcome(rawValue: "amount_mismatch")
    /// A Stripe event of another account or mode than this endpoint's.
    package static let cabinetIgnored = WebhookOutcome(rawValue: "cabinet_ignored")
    /// A Stripe event without `deal_id` in its metadata.
    package static let dealIDMissing = WebhookOutcome(rawValue: "deal_id_missing")
    /// A Telegram pre-checkout query answered yes.
    package static let answeredOK = WebhookOutcome(rawValue: "answered_ok")
    /// A Telegram pre-checkout query answered no (paid already, price changed, another user).
    package static let answeredDeclined = WebhookOutcome(rawValue: "answered_declined")
    /// A Stars charge already recorded under its charge id.
    package static let duplicateCharge = WebhookOutcome(rawValue: "duplicate_charge")
    /// A Stars charge for a purchase this shop does not know; kept and flagged for refund.
    package static let unknownPurchase = WebhookOutcome(rawValue: "unknown_purchase")
    /// A second Stars payment of a paid purchase; kept and flagged for refund.
    package static let refundDue = WebhookOutcome(rawValue: "refund_due")
    /// A refund of a payment that has not succeeded here (its success not yet received).
    package static let paymentNotPaid = WebhookOutcome(rawValue: "payment_not_paid")
    /// A refund that had succeeded is now reported failed; left counted, for an operator to check.
    package static let refundReversed = WebhookOutcome(rawValue: "refund_reversed")

    private static let traits: [WebhookOutcome: (severity: Severity, reappliable: Bool)] = [
        .processed: (.fine, false), .duplicate: (.fine, false), .ignored: (.fine, false), .noChange: (.fine, false),
        .outOfOrderIgnored: (.fine, false), .answeredOK: (.fine, false),
        .notConfirmed: (.notice, true), .cabinetIgnored: (.notice, false), .answeredDeclined: (.notice, false),
        .duplicateCharge: (.notice, false),
        .unknownPayment: (.problem, true), .unknownStatus: (.problem, false), .amountMismatch: (.problem, false),
        .dealIDMissing: (.problem, false), .unknownPurchase: (.problem, false), .refundDue: (.problem, false),
        .paymentNotPaid: (.problem, true), .refundReversed: (.problem, false),
    ]

    /// Every outcome of the vocabulary, by name.
    package static var all: [WebhookOutcome] { traits.keys.sorted { $0.rawValue < $1.rawValue } }

    /// How much an operator should care; anything outside the vocabulary is a problem.
    package var severity: Severity { Self.traits[self]?.severity ?? .problem }

    /// Whether a redelivery of the same event runs again instead of being a duplicate: true only
    /// where the first delivery applied nothing and settled nothing, so an unverified claim never
    /// uses up the key of the real event.
    package var reappliable: Bool { Self.traits[self]?.reappliable ?? false }
}
