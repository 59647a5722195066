extension Migration {
    /// Each sink's standing as operators and the relay set it: `active`, `paused` by an operator
    /// (its deliveries accrue, none is attempted) or `disabled` after failing every attempt for
    /// `SINK_DISABLE_AFTER` (or answering 410 Gone to every attempt for `SINK_GONE_AFTER`). A sink
    /// without a row is active. `failing_since` and `gone_since` are when its current run of
    /// failures (of 410s) began; a delivered attempt (any other answer) clears them. And the
    /// bookings' payments by appointment, whatever their status, for `payctl trace APPOINTMENT`.
    static let sinkStates = Migration(
        version: 11, name: "sink states",
        sql: #"""
            CREATE TABLE sink_states (
                sink          text PRIMARY KEY CHECK (char_length(sink) BETWEEN 1 AND 64),
                state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'disabled')),
                failing_since timestamptz,
                gone_since    timestamptz,
                changed_at    timestamptz NOT NULL DEFAULT now(),
                changed_by    text CHECK (char_length(changed_by) <= 64),
                reason        text CHECK (char_length(reason) <= 300)
            );
            CREATE INDEX payments_appointment ON payments (appointment_id) WHERE appointment_id IS NOT NULL;
            """#)
}
