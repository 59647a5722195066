import Base
import Domain

/// One claimed delivery: the domain event and where it is going, as the sink transports see it.
package struct OutboundEvent: Sendable {
    /// The `deliveries` row; the user service's `Idempotency-Key`.
    package let deliveryID: Int64
    /// This attempt's number, from 1.
    package let attempt: Int
    /// The event's id (a UUID), the same for every attempt: receivers deduplicate on it.
    package let eventID: String
    package let type: DomainEventType
    package let aggregateType: AggregateType
    package let aggregateID: String
    /// The event's payload as it was stored.
    package let payload: [String: JSONValue]
    /// When the event was written, RFC 3339 in UTC.
    package let createdAt: String

    package init(
        deliveryID: Int64, attempt: Int, eventID: String, type: DomainEventType, aggregateType: AggregateType,
        aggregateID: String, payload: [String: JSONValue], createdAt: String
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.eventID = eventID
        self.type = type
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.payload = payload
        self.createdAt = createdAt
    }

    /// The event's data for a receiver: its payload with its ids, and `amount` written in the
    /// currency's major units as a string (`"599.00"`) beside `amount_minor` and `currency`.
    package var data: [String: JSONValue] {
        var data = payload
        data["event_id"] = .string(eventID)
        data["aggregate_type"] = .string(aggregateType.rawValue)
        data["aggregate_id"] = .string(aggregateID)
        if case .int(let minor) = payload["amount_minor"], case .string(let code) = payload["currency"],
            let currency = Currency(code)
        {
            data["amount"] = .string(Money(minorUnits: minor, currency: currency).decimalString)
        }
        return data
    }

    /// A text field of the payload.
    package func text(_ key: String) -> String? {
        if case .string(let value) = payload[key] { value } else { nil }
    }
}
