import FoundationEssentials

/// `webhook_events`: one row per distinct provider event, claimed inside the transaction that
/// applies its effect, so an event's effect and its record commit together.
public struct WebhookEventStore {
    private let connection: PGConnection

    public init(connection: PGConnection) { self.connection = connection }

    /// What is known of an event when it arrives.
    public struct Arrival: Sendable {
        public let provider: String
        public let eventKey: String
        public let eventType: String
        public let objectID: String?
        public let verification: String
        public var dealID: String? = nil
        public var sessionID: String? = nil
        public var paymentIntentID: String? = nil

        public init(provider: String, eventKey: String, eventType: String, objectID: String?, verification: String) {
            self.provider = provider
            self.eventKey = eventKey
            self.eventType = eventType
            self.objectID = objectID
            self.verification = verification
        }
    }

    /// The claimed row: whether this is the first delivery, and what an earlier one decided.
    public struct Claim: Sendable {
        public let id: UUID
        public let deliveries: Int
        /// The outcome recorded by an earlier delivery; nil for the first.
        public let previousOutcome: String?
    }

    private enum SQL {
        static let claim = """
            INSERT INTO webhook_events (provider, event_key, event_type, object_id, verification, outcome,
                                        deal_id, session_id, payment_intent_id)
            VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, $8)
            ON CONFLICT (provider, event_key) DO UPDATE
                SET deliveries = webhook_events.deliveries + 1, updated_at = now()
            RETURNING id, deliveries, outcome
            """
        static let finish = """
            UPDATE webhook_events
            SET outcome = $2, steps = $3::jsonb, error = $4, object_status = $5, amount_minor = $6, currency = $7,
                verification = $8, updated_at = now()
            WHERE id = $1::uuid
            """
    }

    /// Inserts the event, or counts one more delivery of it and locks its row until the
    /// transaction ends, so concurrent deliveries of one event are applied one at a time.
    public func claim(_ arrival: Arrival) throws -> Claim {
        guard connection.inTransaction else {
            throw StoreError(.notInTransaction, detail: "webhook events are claimed inside the transaction that applies them")
        }
        let row = try connection.query(SQL.claim, [
            arrival.provider, arrival.eventKey, arrival.eventType, arrival.objectID, arrival.verification,
            arrival.dealID, arrival.sessionID, arrival.paymentIntentID,
        ]).first
        guard let row, let id = UUID(uuidString: try row.requiredString("id")) else {
            throw StoreError(.unexpectedResult, detail: "webhook event claim returned no row")
        }
        let deliveries = Int(try row.requiredInt("deliveries"))
        return Claim(id: id, deliveries: deliveries, previousOutcome: deliveries == 1 ? nil : try row.string("outcome"))
    }

    /// Records how the event ended, with its steps and the object's status and amount.
    public func finish(_ claim: Claim, outcome: String, trail: WebhookTrail, error: String? = nil,
                       objectStatus: String? = nil, amount: Money? = nil, verification: String) throws {
        try connection.query(SQL.finish, [
            claim.id, outcome, trail.stepsJSON, error, objectStatus, amount?.minorUnits, amount?.currency.code, verification,
        ])
    }
}
