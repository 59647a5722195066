/// Where a delivery stands: the text stored in `deliveries.status`.
package enum DeliveryStatus: String, Sendable, CaseIterable, Codable {
    /// Not attempted yet.
    case pending
    /// Attempted and failed; tried again at `next_attempt_at`.
    case retrying
    /// The sink took it.
    case delivered
    /// Given up: a permanent refusal, no recipient, or the retry schedule spent.
    case dead

    /// Whether the relay still works on it.
    package var isOpen: Bool { self == .pending || self == .retrying }
}
