import Glibc

/// Bounded exponential back-off with jitter inside a total time budget.
package struct RetryPolicy: Sendable {
    /// All attempts and pauses together stay within this many milliseconds.
    package var budgetMilliseconds: Int
    /// The first pause; each later one doubles, up to `maxDelayMilliseconds`.
    package var baseDelayMilliseconds: Int
    package var maxDelayMilliseconds: Int
    /// No single attempt waits longer than this.
    package var attemptTimeoutMilliseconds: Int

    package init(
        budgetMilliseconds: Int, baseDelayMilliseconds: Int = 200, maxDelayMilliseconds: Int = 2_000,
        attemptTimeoutMilliseconds: Int = 5_000
    ) {
        self.budgetMilliseconds = budgetMilliseconds
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.maxDelayMilliseconds = maxDelayMilliseconds
        self.attemptTimeoutMilliseconds = attemptTimeoutMilliseconds
    }

    /// The pause after attempt `attempt` (1-based): half the exponential step plus a random half.
    package func delay(after attempt: Int) -> Int {
        let step = min(maxDelayMilliseconds, baseDelayMilliseconds << min(attempt - 1, 20))
        return step / 2 + Int.random(in: 0...max(0, step / 2))
    }

    /// A clock for one run of attempts.
    package func start() -> Deadline { Deadline(milliseconds: budgetMilliseconds) }

    /// The end of a budget, on the monotonic clock (`MonotonicClock`).
    package struct Deadline: Sendable {
        private let end: Int

        init(milliseconds: Int) { end = MonotonicClock.milliseconds + milliseconds }

        /// Milliseconds left, never below zero.
        package var remaining: Int { max(0, end - MonotonicClock.milliseconds) }

        /// Sleeps for `milliseconds`, or until the budget ends; false when nothing is left after it.
        package func pause(_ milliseconds: Int) -> Bool {
            let wait = min(milliseconds, remaining)
            if wait > 0 { usleep(UInt32(clamping: min(wait, 60_000) * 1_000)) }
            return remaining > 0
        }
    }
}
