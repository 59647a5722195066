import FoundationEssentials

/// A value that can be bound to a `$n` placeholder, sent in PostgreSQL's text format.
package protocol SQLParameter: Sendable {
    var sqlText: String { get }
}

extension String: SQLParameter { package var sqlText: String { self } }
extension Int: SQLParameter { package var sqlText: String { String(self) } }
extension Int64: SQLParameter { package var sqlText: String { String(self) } }
extension Int32: SQLParameter { package var sqlText: String { String(self) } }
extension Bool: SQLParameter { package var sqlText: String { self ? "true" : "false" } }
extension UUID: SQLParameter { package var sqlText: String { uuidString.lowercased() } }

extension Array: SQLParameter where Element == String {
    /// A text array literal, `{"a","b"}`, each element quoted and escaped: for `$n::text[]`.
    package var sqlText: String {
        let quoted = map { element in
            "\"" + element.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
                + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}

extension JSONValue: SQLParameter {
    /// The value as JSON text, for a `$n::jsonb` placeholder.
    package var sqlText: String { jsonText }
}
