import FoundationEssentials

/// A deposit or the full price of a booked service.
package enum BookingKind: String, Sendable, CaseIterable, Codable {
    case deposit
    case full
}
