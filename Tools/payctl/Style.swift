import Glibc

/// Colour for people at a terminal; plain text for pipes, files and `NO_COLOR`.
struct Style {
    let enabled: Bool

    init() { enabled = isatty(1) == 1 && getenv("NO_COLOR") == nil }

    init(enabled: Bool) { self.enabled = enabled }

    func outcome(_ text: String) -> String {
        switch text {
        case "processed", "ok", "new": paint(text, "32")
        case "duplicate", "ignored", "no_change", "out_of_order_ignored", "redelivered": paint(text, "33")
        default: paint(text, "31")
        }
    }

    func dim(_ text: String) -> String { paint(text, "2") }
    func bold(_ text: String) -> String { paint(text, "1") }

    private func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text }
}
