import FoundationEssentials

/// A value that can be bound to a `$n` placeholder, sent in PostgreSQL's text format.
public protocol SQLParameter: Sendable {
    var sqlText: String { get }
}

extension String: SQLParameter { public var sqlText: String { self } }
extension Int: SQLParameter { public var sqlText: String { String(self) } }
extension Int64: SQLParameter { public var sqlText: String { String(self) } }
extension Int32: SQLParameter { public var sqlText: String { String(self) } }
extension Bool: SQLParameter { public var sqlText: String { self ? "true" : "false" } }
extension UUID: SQLParameter { public var sqlText: String { uuidString.lowercased() } }

extension JSONValue: SQLParameter {
    /// The value as JSON text, for a `$n::jsonb` placeholder.
    public var sqlText: String { String(decoding: (try? JSONCoding.encode(self)) ?? Array("null".utf8), as: UTF8.self) }
}
