/// `audit_log`: what operators did that wrote or moved money — who, when, what, to which subject.
package struct AuditLog {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let record = "INSERT INTO audit_log (operator, action, subject, detail) VALUES ($1, $2, $3, $4::jsonb)"
        static let ofSubject = """
            SELECT \(SQLTime.utc("at")) AS at_utc, operator, action, detail::text AS detail
            FROM audit_log WHERE subject = $1 ORDER BY at, id
            """
    }

    /// One line of the trail, read back.
    package struct Line: Sendable, Encodable, Equatable {
        package let at: String
        package let `operator`: String
        package let action: String
        package let detail: String
    }

    /// Appends a line: `operator` did `action` to `subject` (a payment or charge id), with `detail`.
    package func record(operator name: String, action: String, subject: String, detail: [String: JSONValue]) throws {
        try connection.query(SQL.record, [BoundedText.clip(name, 64), action, subject, JSONValue.object(detail)])
    }

    /// Every line about `subject`, oldest first.
    package func lines(about subject: String) throws -> [Line] {
        try connection.query(SQL.ofSubject, [subject]).rows.map { row in
            Line(
                at: try row.requiredString("at_utc"), operator: try row.requiredString("operator"),
                action: try row.requiredString("action"), detail: try row.requiredString("detail"))
        }
    }
}
