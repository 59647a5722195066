/// Text for a person at a terminal. The console's own words (the literal parts) pass as written;
/// every interpolated value, which may come from a webhook sender, a provider's API or the
/// database, has its control characters escaped, so no field can move the cursor, retitle the
/// window, clear the screen or reorder text. Escape sequences enter only through `painted`.
struct TerminalText: ExpressibleByStringInterpolation, Sendable {
    /// The text as it goes to the terminal.
    private(set) var rendered: String

    /// Literals are static, so text read at run time can never pass as the console's own words.
    typealias StringLiteralType = StaticString

    init(stringLiteral value: StaticString) { rendered = value.description }

    init(stringInterpolation: Interpolation) { rendered = stringInterpolation.rendered }

    /// Text that comes entirely from outside, escaped.
    init(_ outside: some CustomStringConvertible) { rendered = Self.escape(outside.description) }

    /// `lines`, one a line.
    init(lines: [TerminalText]) { rendered = lines.map(\.rendered).joined(separator: "\n") }

    private init(rendered: String) { self.rendered = rendered }

    /// Builds the text: literals as written, values escaped, other terminal text as it is.
    struct Interpolation: StringInterpolationProtocol {
        fileprivate var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) { rendered += literal.description }

        mutating func appendInterpolation(_ text: TerminalText) { rendered += text.rendered }

        mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            rendered += TerminalText.escape(value.description)
        }
    }

    static func + (left: TerminalText, right: TerminalText) -> TerminalText {
        TerminalText(rendered: left.rendered + right.rendered)
    }

    static func += (left: inout TerminalText, right: TerminalText) { left.rendered += right.rendered }

    /// This text with the SGR attribute `code` (colour, bold, dim) and a reset after it.
    func painted(_ code: String) -> TerminalText { TerminalText(rendered: "\u{1b}[\(code)m\(rendered)\u{1b}[0m") }

    /// `text` with every C0 and C1 control character, DEL and bidirectional override written as a
    /// visible escape (`\x1b`, `\u{202e}`).
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if !needsEscape(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x100 {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7f...0x9f, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true
        default: false
        }
    }
}
