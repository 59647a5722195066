import Base

/// When a failed delivery is tried again: one pause after each failed attempt, jittered, and
/// dead once the pauses are spent. The default is Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
/// after the first attempt (8 attempts over about 27.6 h).
package struct RetrySchedule: Sendable, Equatable {
    /// The variable that sets it: comma-separated durations such as `5s,5m,30m,2h` (units ms, s, m, h, d).
    package static let variable = "RELAY_RETRY_SCHEDULE"

    /// The pause after each failed attempt, in milliseconds.
    package let pauses: [Int]

    package static let svix = RetrySchedule(pauses: [
        5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ])

    package init(pauses: [Int]) { self.pauses = pauses }

    /// The schedule `RELAY_RETRY_SCHEDULE` sets, or Svix's.
    package init(_ config: Config) throws(ConfigError) {
        guard let text = config.optional(Self.variable) else {
            self = .svix
            return
        }
        var pauses: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let pause = Config.milliseconds(String(part).trimmingSpaces) else {
                throw ConfigError(
                    variable: Self.variable,
                    problem: "must be comma-separated durations such as 5s,5m,30m,2h (units ms, s, m, h, d)")
            }
            pauses.append(pause)
        }
        guard (1...20).contains(pauses.count) else {
            throw ConfigError(variable: Self.variable, problem: "must list 1 to 20 pauses")
        }
        self.pauses = pauses
    }

    /// How many attempts a delivery gets in all.
    package var attempts: Int { pauses.count + 1 }

    /// The pause before the next attempt after attempt `attempt` (1-based) failed: the schedule's,
    /// give or take a tenth, and never shorter than the receiver's `Retry-After`. Nil when the
    /// schedule is spent.
    package func pause(afterAttempt attempt: Int, retryAfter: Int? = nil) -> Int? {
        guard attempt >= 1, attempt <= pauses.count else { return nil }
        let base = pauses[attempt - 1]
        let spread = base / 10
        let jittered = spread > 0 ? base + Int.random(in: -spread...spread) : base
        return max(jittered, RetryAfter.clamped(milliseconds: Int64(retryAfter ?? 0)))
    }
}
