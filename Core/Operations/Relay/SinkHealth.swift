import Base

/// What one round's attempts say of a sink's health, and the relay's record of it in
/// `sink_states`: when its current run of failures (and of 410 Gone answers) began, and whether
/// that run has lasted long enough to disable the sink. A round that ends in a delivery clears the
/// record without writing a row when there is nothing to clear.
struct SinkHealth {
    /// When the round's trailing failures began: the first failed attempt after its last
    /// delivered one; nil when its last attempt was delivered.
    let failingFrom: String?
    /// Whether an attempt of the round was delivered, ending any earlier run of failures.
    let delivered: Bool
    /// When the round's trailing 410 answers began; nil when its last answer was something else.
    let goneFrom: String?
    /// Whether an answer of the round was something other than 410, ending any earlier run of them.
    let answeredOtherwise: Bool

    /// Reads `attempts`, leaving out those refused for want of a recipient (a buyer who never
    /// started the bot, an event without a buyer): they say nothing of the sink.
    init(_ all: [DeliveryStore.Attempt]) {
        let attempts = all.filter { !($0.error?.hasPrefix(SinkAnswer.noRecipient) ?? false) }
        let lastDelivered = attempts.lastIndex { $0.status == .delivered }
        failingFrom = attempts[(lastDelivered.map { $0 + 1 } ?? attempts.startIndex)...].first?.startedAt
        delivered = lastDelivered != nil
        let lastOther = attempts.lastIndex { $0.statusCode != 410 }
        goneFrom = attempts[(lastOther.map { $0 + 1 } ?? attempts.startIndex)...].first?.startedAt
        answeredOtherwise = lastOther != nil
    }

    private enum SQL {
        static let clear = """
            UPDATE sink_states SET failing_since = NULL, gone_since = NULL
            WHERE sink = $1 AND (failing_since IS NOT NULL OR gone_since IS NOT NULL)
            """
        static let track = """
            INSERT INTO sink_states AS s (sink, failing_since, gone_since) VALUES ($1, $2::timestamptz, $3::timestamptz)
            ON CONFLICT (sink) DO UPDATE SET
                failing_since = CASE WHEN $4::boolean THEN EXCLUDED.failing_since
                    ELSE coalesce(s.failing_since, EXCLUDED.failing_since) END,
                gone_since = CASE WHEN $5::boolean THEN EXCLUDED.gone_since
                    ELSE coalesce(s.gone_since, EXCLUDED.gone_since) END
            RETURNING state,
                \(SQLTime.utc("failing_since")) AS failing_since, \(SQLTime.utc("gone_since")) AS gone_since,
                coalesce(failing_since <= now() - $6::bigint * interval '1 millisecond', false) AS failed_long,
                coalesce(gone_since <= now() - $7::bigint * interval '1 millisecond', false) AS gone_long
            """
        static let disable = """
            UPDATE sink_states SET state = 'disabled', changed_at = now(), changed_by = 'events-relay', reason = $2
            WHERE sink = $1 AND state = 'active'
            """
    }

    /// Records the round for `sink` in the open transaction; returns why the sink is now disabled
    /// when this round disabled it. A nil limit never disables.
    func record(
        sink: String, connection: PGConnection, disableAfter: Int?, goneAfter: Int?
    ) throws -> String? {
        guard failingFrom != nil else {
            if delivered { try connection.query(SQL.clear, [sink]) }
            return nil
        }
        guard
            let row = try connection.query(
                SQL.track, [sink, failingFrom, goneFrom, delivered, answeredOtherwise, disableAfter, goneAfter]
            ).first,
            try row.requiredString("state") == SinkState.active.rawValue
        else { return nil }
        let reason: String
        if try row.bool("gone_long") == true, let since = try row.string("gone_since") {
            reason = "answered 410 Gone to every attempt since \(since)"
        } else if try row.bool("failed_long") == true, let since = try row.string("failing_since") {
            reason = "failed every attempt since \(since)"
        } else {
            return nil
        }
        try connection.query(SQL.disable, [sink, reason])
        return reason
    }
}
