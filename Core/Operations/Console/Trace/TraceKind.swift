/// What one line of a timeline is about: `kind` in `payctl trace --json`.
package enum TraceKind: String, Sendable, Encodable, CaseIterable {
    /// A provider's delivery that was verified and recorded, whatever its outcome.
    case webhook
    /// A verified delivery whose outcome is a problem: its effect did not happen as it should.
    case refused
    /// The payment or purchase was made, changed status, or had a charge recorded.
    case status
    /// A domain event it caused.
    case event
    /// A domain event's delivery to a sink, as it stands.
    case delivery
    /// One attempt at a delivery.
    case attempt
    /// A refund: requested, answered, counted.
    case refund
    /// A reconciliation's finding about it.
    case reconcile
    /// An operator's action on it.
    case audit
    /// What the provider itself holds (`--provider`).
    case provider
}
