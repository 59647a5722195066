import Base

/// One line of a timeline: when, what kind, one sentence for people, and the fields scripts
/// read beside `at` and `kind` (an attempt's `sink`, `delivery_status`, `status_code`, `error`, …).
package struct TraceEntry: Sendable, Encodable {
    /// RFC 3339 in UTC, to the millisecond.
    package let at: String
    package let kind: TraceKind
    package let text: String
    package let fields: [String: JSONValue]

    package init(at: String, kind: TraceKind, text: String, fields: [String: JSONValue] = [:]) {
        // Times to the second sort after the milliseconds within it unless written the same way.
        self.at = at.count == 20 && at.hasSuffix("Z") ? String(at.dropLast()) + ".000Z" : at
        self.kind = kind
        self.text = text
        self.fields = fields
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(at, forKey: Key(stringValue: "at"))
        try container.encode(kind, forKey: Key(stringValue: "kind"))
        try container.encode(text, forKey: Key(stringValue: "text"))
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            try container.encode(value, forKey: Key(stringValue: name))
        }
    }
}
