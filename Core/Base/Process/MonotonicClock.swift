/// The one clock intervals and deadlines are measured on: Swift's `ContinuousClock`, read as an
/// `Instant` where a `Duration` serves (FastCGI's deadlines, health's cache), or here as whole
/// milliseconds since this process first asked, where a number does (retry budgets, the relay's
/// rounds, a request's duration). Never the wall clock, which can step.
package enum MonotonicClock {
    private static let origin = ContinuousClock.now

    /// Milliseconds since an arbitrary start in this process; never goes back.
    package static var milliseconds: Int {
        let elapsed = origin.duration(to: .now).components
        return Int(elapsed.seconds) * 1_000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
    }
}
