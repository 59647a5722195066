/// A fact the payment functions publish for automations (CRM, notifications), kept in `events`.
public struct DomainEvent: Sendable, Equatable {
    public let type: DomainEventType
    /// What the event is about: `payment`, `purchase` or `deal`.
    public let aggregateType: String
    public let aggregateID: String
    public let payload: JSONValue
    /// When set, the store keeps at most one event with this key: exactly-once effects.
    public let dedupKey: String?

    public init(type: DomainEventType, aggregateType: String, aggregateID: String, payload: JSONValue, dedupKey: String? = nil) {
        self.type = type
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.payload = payload
        self.dedupKey = dedupKey
    }
}
