/// One check's result.
package struct Finding: Sendable, Encodable {
    package let check: AlarmCheck
    package let level: AlarmLevel
    package let value: Int64
    package let threshold: Threshold

    /// `check` judged: its `value` against `threshold`.
    package init(check: AlarmCheck, value: Int64, threshold: Threshold) {
        self.check = check
        self.level = threshold.level(of: value)
        self.value = value
        self.threshold = threshold
    }
}
