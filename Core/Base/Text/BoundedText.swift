/// The project's one rule for bounded text: a length is a count of Unicode code points, which is
/// what PostgreSQL's `char_length` and `CHECK` constraints count, so what passes here fits the
/// database. (Swift's `String.count` counts grapheme clusters: one of them can hold thousands of
/// code points, so it is never used for a bound.)
package enum BoundedText {
    /// The longest id a client may send (appointment, service, plan, user, item, purchase ids).
    package static let idLimit = 64

    /// `text`'s length in code points.
    package static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// `text` cut to at most `limit` code points.
    package static func prefix(_ text: String, _ limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(limit))
        return String(scalars)
    }

    /// `text` unchanged when it fits in `limit` code points; otherwise cut to `limit - 1` and
    /// ended with "…", so the result still fits.
    package static func clip(_ text: String, _ limit: Int) -> String {
        length(text) <= limit ? text : prefix(text, limit - 1) + "…"
    }

    /// True when every code point is visible: no space, no C0 or C1 control, no DEL.
    package static func isVisible(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value > 0x20 && !(0x7f...0x9f).contains($0.value) }
    }

    /// A client-sent id checked against the rule: the value, or a 400 naming the field and what is wrong.
    package static func id(_ value: String, field: String, limit: Int = idLimit) throws -> String {
        guard !value.isEmpty, length(value) <= limit else {
            throw APIError.badRequest(
                "field_too_long", "\(field) must be 1 to \(limit) characters (Unicode code points).")
        }
        guard isVisible(value) else {
            throw APIError.badRequest(
                "invalid_field", "\(field) must be visible characters without spaces or control characters.")
        }
        return value
    }
}
