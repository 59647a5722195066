import Base
import FoundationEssentials

/// `webhook_events`: one row per distinct provider event, claimed inside the transaction that
/// applies its effect, so an event's effect and its record commit together. A repeat answered as a
/// duplicate writes nothing (no row version, no commit to flush); one applied again is counted.
package struct WebhookEventStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    /// What is known of an event when it arrives.
    package struct Arrival: Sendable {
        package let provider: Provider
        package let eventKey: String
        package let eventType: String
        package let objectID: String?
        package let verification: Verification
        package var dealID: String? = nil
        package var sessionID: String? = nil
        package var paymentIntentID: String? = nil

        package init(
            provider: Provider, eventKey: String, eventType: String, objectID: String?, verification: Verification
        ) {
            self.provider = provider
            self.eventKey = eventKey
            self.eventType = eventType
            self.objectID = objectID
            self.verification = verification
        }
    }

    /// The claimed row: whether this is the first delivery, and what an earlier one decided.
    package struct Claim: Sendable {
        package let id: UUID
        /// Deliveries applied before this one (1 for the first delivery's own row, counted once it ends).
        package let deliveries: Int
        /// The outcome recorded by an earlier delivery; nil for the first.
        package let previousOutcome: WebhookOutcome?
    }

    private enum SQL {
        /// The new event's row, inserted; or, when its key is taken, the row as this statement's
        /// snapshot sees it, read without a lock (none when the row committed after the snapshot).
        static let claim = """
            WITH inserted AS (
                INSERT INTO webhook_events (provider, event_key, event_type, object_id, verification, outcome,
                                            deal_id, session_id, payment_intent_id)
                VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, $8)
                ON CONFLICT (provider, event_key) DO NOTHING
                RETURNING id, deliveries, NULL::text AS outcome
            )
            SELECT * FROM inserted
            UNION ALL
            SELECT id, deliveries, outcome FROM webhook_events
            WHERE provider = $1 AND event_key = $2 AND NOT EXISTS (SELECT FROM inserted)
            """
        static let seen = "SELECT id, deliveries, outcome FROM webhook_events WHERE provider = $1 AND event_key = $2"
        static let reclaim = "SELECT id, deliveries, outcome FROM webhook_events WHERE id = $1::uuid FOR UPDATE"
        static let outcomesAmong = """
            SELECT event_key, outcome FROM webhook_events
            WHERE provider = $1 AND event_key = ANY ($2::text[])
            """
        static let finish = """
            UPDATE webhook_events
            SET outcome = $2, steps = $3::jsonb, error = $4, object_status = $5, amount_minor = $6, currency = $7,
                verification = $8, deliveries = deliveries + $9, updated_at = now()
            WHERE id = $1::uuid
            """
    }

    /// The outcome recorded for each of `keys` (events of `provider`) that was seen.
    package func outcomes(provider: Provider, keys: [String]) throws -> [String: WebhookOutcome] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: WebhookOutcome] = [:]
        for row in try connection.query(SQL.outcomesAmong, [provider.rawValue, keys]).rows {
            found[try row.requiredString("event_key")] = WebhookOutcome(rawValue: try row.requiredString("outcome"))
        }
        return found
    }

    /// Inserts the event's row, locked by that insert until the transaction ends; or, when the
    /// event was seen before (a concurrent first delivery is waited for), reads what it decided,
    /// without a lock or a write: a repeat that will be applied again is `reclaim`ed first.
    package func claim(_ arrival: Arrival) throws -> Claim {
        guard connection.inTransaction else {
            throw StoreError(
                .notInTransaction, detail: "webhook events are claimed inside the transaction that applies them")
        }
        let key: [(any SQLParameter)?] = [arrival.provider.rawValue, arrival.eventKey]
        let claimed = try connection.query(
            SQL.claim,
            key + [
                arrival.eventType, arrival.objectID, arrival.verification.rawValue, arrival.dealID, arrival.sessionID,
                arrival.paymentIntentID,
            ]
        ).first
        // Nothing: the row was committed by a delivery this statement waited for; a new snapshot sees it.
        guard let row = try claimed ?? connection.query(SQL.seen, key).first else {
            throw StoreError(.unexpectedResult, detail: "webhook event claim found no row")
        }
        CrashPoint.reach("after_claim")
        return try Self.claim(row)
    }

    /// Locks a repeat's row until the transaction ends; returns what is recorded now (a concurrent
    /// delivery may have changed it since `claim` read it).
    package func reclaim(_ claim: Claim) throws -> Claim {
        guard let row = try connection.query(SQL.reclaim, [claim.id]).first else {
            throw StoreError(.unexpectedResult, detail: "a claimed webhook event is not there")
        }
        return try Self.claim(row)
    }

    private static func claim(_ row: PGRow) throws -> Claim {
        guard let id = UUID(uuidString: try row.requiredString("id")) else {
            throw StoreError(.unexpectedResult, detail: "webhook event claim returned an unreadable id")
        }
        return Claim(
            id: id, deliveries: Int(try row.requiredInt("deliveries")),
            previousOutcome: try row.string("outcome").map(WebhookOutcome.init))
    }

    /// Records how the event ended, with its steps and the object's status and amount, and counts a
    /// repeat applied again: a write that travels with the `COMMIT` where the transaction defers writes.
    func finish(_ claim: Claim, result: WebhookResult, trail: WebhookTrail, verification: Verification) throws {
        try connection.send(
            SQL.finish,
            [
                claim.id, result.outcome.rawValue, trail.stepsJSON, result.error, result.objectStatus,
                result.amount?.minorUnits,
                result.amount?.currency.code, verification.rawValue, claim.previousOutcome == nil ? 0 : 1,
            ])
    }
}
