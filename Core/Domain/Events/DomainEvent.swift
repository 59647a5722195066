import Base

/// A fact the payment functions publish for automations (CRM, notifications), kept in `events`.
package struct DomainEvent: Sendable, Equatable {
    package let type: DomainEventType
    /// What the event is about.
    package let aggregateType: AggregateType
    package let aggregateID: String
    package let payload: JSONValue
    /// When set, the store keeps at most one event with this key: exactly-once effects.
    package let dedupKey: String?

    package init(
        type: DomainEventType, aggregateType: AggregateType, aggregateID: String, payload: JSONValue,
        dedupKey: String? = nil
    ) {
        self.type = type
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.payload = payload
        self.dedupKey = dedupKey
    }
}
