import Core
import Glibc

/// Colour for people at a terminal; plain text for pipes, files and `NO_COLOR`.
struct Style {
    let enabled: Bool

    init() { enabled = isatty(1) == 1 && getenv("NO_COLOR") == nil }

    init(enabled: Bool) { self.enabled = enabled }

    /// A webhook outcome or a step's result, coloured by how much it matters.
    func outcome(_ text: String) -> TerminalText {
        let severity = Self.fineStepResults.contains(text) ? .fine : WebhookOutcome(rawValue: text).severity
        return paint(TerminalText(text), severity == .fine ? "32" : severity == .notice ? "33" : "31")
    }

    /// A delivery's status: green when delivered, yellow while open, red when dead.
    func delivery(_ status: DeliveryStatus) -> TerminalText {
        paint(TerminalText(status.rawValue), status == .delivered ? "32" : status == .dead ? "31" : "33")
    }

    /// A sink's state: green when active, yellow when paused, red when disabled.
    func sink(_ state: SinkState) -> TerminalText {
        paint(TerminalText(state.rawValue), state == .active ? "32" : state == .paused ? "33" : "31")
    }

    /// A check's level: green OK, yellow WARNING, red CRITICAL.
    func level(_ level: AlarmLevel) -> TerminalText {
        paint(TerminalText(level.label), level == .ok ? "32" : level == .warning ? "33" : "31")
    }

    /// Something that went wrong, in red.
    func alert(_ text: some CustomStringConvertible) -> TerminalText { paint(TerminalText(text), "31") }
    /// Something that failed and may still come right, in yellow.
    func warn(_ text: some CustomStringConvertible) -> TerminalText { paint(TerminalText(text), "33") }
    func dim(_ text: some CustomStringConvertible) -> TerminalText { paint(TerminalText(text), "2") }
    func bold(_ text: TerminalText) -> TerminalText { paint(text, "1") }

    private func paint(_ text: TerminalText, _ code: String) -> TerminalText { enabled ? text.painted(code) : text }

    /// Results of single steps (not outcomes of deliveries) that mean all went well.
    private static let fineStepResults: Set<String> = ["ok", "new", "redelivered"]
}
