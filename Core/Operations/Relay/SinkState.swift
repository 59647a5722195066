/// Whether the relay attempts a sink's deliveries: the text stored in `sink_states.state`.
package enum SinkState: String, Sendable, CaseIterable, Codable {
    /// Its deliveries are attempted (a sink without a row is active).
    case active
    /// An operator paused it: its deliveries accrue and none is attempted until it is resumed.
    case paused
    /// The relay disabled it after it failed every attempt for `SINK_DISABLE_AFTER` (or answered
    /// 410 Gone to every attempt for `SINK_GONE_AFTER`); it waits, like a paused one, for `resume`.
    case disabled

    /// The sinks not active now, as a subquery: what the relay's claim, its due count and the
    /// undelivered alarm leave out.
    static let stoppedSinks = "SELECT sink FROM sink_states WHERE state <> 'active'"
}
