/// `warning:critical`: a value at or above `warning` warns, at or above `critical` is critical.
package struct Threshold: Sendable, Equatable, Encodable {
    package let warning: Int64
    package let critical: Int64

    package init(warning: Int64, critical: Int64) {
        self.warning = warning
        self.critical = critical
    }

    /// `W:C` with 1 ≤ W ≤ C; nil otherwise.
    package init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let warning = Int64(parts[0]), let critical = Int64(parts[1]), warning >= 1,
            critical >= warning
        else { return nil }
        self.init(warning: warning, critical: critical)
    }

    /// The level of `value`.
    package func level(of value: Int64) -> AlarmLevel {
        value >= critical ? .critical : value >= warning ? .warning : .ok
    }
}
