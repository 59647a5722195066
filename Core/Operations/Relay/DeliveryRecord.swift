import Base

/// One delivery as an operator reads it (`payctl deliveries`, `payctl show`).
package struct DeliveryRecord: Sendable, Encodable {
    package let id: Int64
    /// The domain event's id and type.
    package let eventID: String
    package let eventType: String
    package let aggregateType: String
    package let aggregateID: String
    package let sink: String
    package let status: DeliveryStatus
    package let attempts: Int
    package let lastStatusCode: Int?
    package let lastError: String?
    /// When the relay tries next (RFC 3339), for an open delivery.
    package let nextAttemptAt: String?
    package let lastAttemptAt: String?
    package let deliveredAt: String?
    package let createdAt: String

    enum CodingKeys: String, CodingKey {
        case id
        case eventID = "event_id"
        case eventType = "event_type"
        case aggregateType = "aggregate_type"
        case aggregateID = "aggregate_id"
        case sink, status, attempts
        case lastStatusCode = "last_status_code"
        case lastError = "last_error"
        case nextAttemptAt = "next_attempt_at"
        case lastAttemptAt = "last_attempt_at"
        case deliveredAt = "delivered_at"
        case createdAt = "created_at"
    }

    /// Every key is written, `null` when empty, so scripts can rely on the shape.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(eventType, forKey: .eventType)
        try container.encode(aggregateType, forKey: .aggregateType)
        try container.encode(aggregateID, forKey: .aggregateID)
        try container.encode(sink, forKey: .sink)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastStatusCode, forKey: .lastStatusCode)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(lastAttemptAt, forKey: .lastAttemptAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
        try container.encode(createdAt, forKey: .createdAt)
    }

    /// The columns `init(row:)` reads, for every query that lists deliveries.
    static let columns = """
        d.id, e.id::text AS event_id, e.type AS event_type, d.aggregate_type, d.aggregate_id, d.sink, d.status,
        d.attempts, d.last_status_code, d.last_error,
        CASE WHEN d.status IN ('pending', 'retrying') THEN \(SQLTime.utc("d.next_attempt_at")) END AS next_attempt_at,
        \(SQLTime.utc("d.last_attempt_at")) AS last_attempt_at, \(SQLTime.utcMilliseconds("d.delivered_at")) AS delivered_at,
        \(SQLTime.utcMilliseconds("d.created_at")) AS created_at
        """

    init(row: PGRow) throws {
        id = try row.requiredInt("id")
        eventID = try row.requiredString("event_id")
        eventType = try row.requiredString("event_type")
        aggregateType = try row.requiredString("aggregate_type")
        aggregateID = try row.requiredString("aggregate_id")
        sink = try row.requiredString("sink")
        guard let status = DeliveryStatus(rawValue: try row.requiredString("status")) else {
            throw StoreError(.unexpectedResult, detail: "a delivery has an unknown status")
        }
        self.status = status
        attempts = Int(try row.requiredInt("attempts"))
        lastStatusCode = try row.int("last_status_code").map(Int.init)
        lastError = try row.string("last_error")
        nextAttemptAt = try row.string("next_attempt_at")
        lastAttemptAt = try row.string("last_attempt_at")
        deliveredAt = try row.string("delivered_at")
        createdAt = try row.requiredString("created_at")
    }
}
