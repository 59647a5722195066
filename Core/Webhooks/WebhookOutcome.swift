/// How one webhook delivery ended: the text stored in `webhook_events.outcome`, logged as
/// `outcome`, and read back by payctl. The constants are the whole vocabulary; each says how much
/// an operator should care and whether a redelivery of the same event may apply it again.
public struct WebhookOutcome: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// How much an operator should care about an outcome.
    public enum Severity: Sendable, Comparable {
        /// Normal operation: nothing to do.
        case fine
        /// Worth knowing, not wrong by itself (another account's event, a declined pre-checkout).
        case notice
        /// Somebody should look: the event's effect did not happen as it should.
        case problem
    }

    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The effect was applied.
    public static let processed = WebhookOutcome(rawValue: "processed")
    /// An earlier delivery of this event decided it already.
    public static let duplicate = WebhookOutcome(rawValue: "duplicate")
    /// An event type this endpoint does not act on; acknowledged.
    public static let ignored = WebhookOutcome(rawValue: "ignored")
    /// The object is already in the status the event reports.
    public static let noChange = WebhookOutcome(rawValue: "no_change")
    /// A late event that would move a status backwards; recorded, not applied.
    public static let outOfOrderIgnored = WebhookOutcome(rawValue: "out_of_order_ignored")
    /// The provider's API does not (yet) confirm what the notification claims; nothing applied.
    public static let notConfirmed = WebhookOutcome(rawValue: "not_confirmed")
    /// The event names a payment this shop does not know (yet).
    public static let unknownPayment = WebhookOutcome(rawValue: "unknown_payment")
    /// The provider reported a status this code does not know.
    public static let unknownStatus = WebhookOutcome(rawValue: "unknown_status")
    /// The event's amount or currency differs from the recorded payment's.
    public static let amountMismatch = WebhookOutcome(rawValue: "amount_mismatch")
    /// A Stripe event of another account or mode than this endpoint's.
    public static let cabinetIgnored = WebhookOutcome(rawValue: "cabinet_ignored")
    /// A Stripe event without `deal_id` in its metadata.
    public static let dealIDMissing = WebhookOutcome(rawValue: "deal_id_missing")
    /// A Telegram pre-checkout query answered yes.
    public static let answeredOK = WebhookOutcome(rawValue: "answered_ok")
    /// A Telegram pre-checkout query answered no (paid already, price changed, another user).
    public static let answeredDeclined = WebhookOutcome(rawValue: "answered_declined")
    /// A Stars charge already recorded under its charge id.
    public static let duplicateCharge = WebhookOutcome(rawValue: "duplicate_charge")
    /// A Stars charge for a purchase this shop does not know; kept and flagged for refund.
    public static let unknownPurchase = WebhookOutcome(rawValue: "unknown_purchase")
    /// A second Stars payment of a paid purchase; kept and flagged for refund.
    public static let refundDue = WebhookOutcome(rawValue: "refund_due")

    private static let traits: [WebhookOutcome: (severity: Severity, reappliable: Bool)] = [
        .processed: (.fine, false), .duplicate: (.fine, false), .ignored: (.fine, false), .noChange: (.fine, false),
        .outOfOrderIgnored: (.fine, false), .answeredOK: (.fine, false),
        .notConfirmed: (.notice, true), .cabinetIgnored: (.notice, false), .answeredDeclined: (.notice, false),
        .duplicateCharge: (.notice, false),
        .unknownPayment: (.problem, true), .unknownStatus: (.problem, false), .amountMismatch: (.problem, false),
        .dealIDMissing: (.problem, false), .unknownPurchase: (.problem, false), .refundDue: (.problem, false),
    ]

    /// How much an operator should care; anything outside the vocabulary is a problem.
    public var severity: Severity { Self.traits[self]?.severity ?? .problem }

    /// Whether a redelivery of the same event runs again instead of being a duplicate: true only
    /// where the first delivery applied nothing and settled nothing, so an unverified claim never
    /// uses up the key of the real event.
    public var reappliable: Bool { Self.traits[self]?.reappliable ?? false }
}
