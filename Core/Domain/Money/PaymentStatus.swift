/// The life of a payment. It only moves forward:
/// `pending → waiting_for_capture → succeeded → refunded`, and `pending|waiting_for_capture → canceled`.
package enum PaymentStatus: String, Sendable, CaseIterable, Codable {
    case pending
    case waitingForCapture = "waiting_for_capture"
    case succeeded
    case canceled
    case refunded

    /// What applying a reported status to the current one does.
    package enum Transition: Sendable, Equatable {
        /// The status moves forward to the new one.
        case advance
        /// The payment is already there: a repeated delivery.
        case unchanged
        /// A late or stale report that would move the status back or out of a final state.
        case outOfOrder
    }

    /// Whether moving from this status to `next` is allowed, a repeat, or out of order.
    package func transition(to next: PaymentStatus) -> Transition {
        if next == self { return .unchanged }
        return Self.forward[self, default: []].contains(next) ? .advance : .outOfOrder
    }

    /// The statuses that move forward to this one.
    package var reachedFrom: [PaymentStatus] { Self.allCases.filter { $0.transition(to: self) == .advance } }

    /// Whether a payment in this status has been through `reported`: the same status or one that
    /// follows it. A notification reporting a status its payment has not reached is not confirmed.
    package func hasReached(_ reported: PaymentStatus) -> Bool {
        reported.transition(to: self) != .outOfOrder
    }

    /// Waiting for the buyer or the capture: what holds a booking's or subscription's open slot.
    package var isOpen: Bool { self == .pending || self == .waitingForCapture }

    /// A status no event moves out of, except a refund of a success.
    package var isFinal: Bool { self == .canceled || self == .refunded }

    private static let forward: [PaymentStatus: Set<PaymentStatus>] = [
        .pending: [.waitingForCapture, .succeeded, .canceled],
        .waitingForCapture: [.succeeded, .canceled],
        .succeeded: [.refunded],
    ]
}
