/// A failure of the PostgreSQL store.
///
/// `description` is deliberately generic; `detail` holds the server's primary message, which
/// never contains query parameters, and goes to logs only.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// No connection could be made, or it was lost.
        case unavailable
        /// The server refused a statement.
        case statementFailed
        /// The schema is older than this code expects.
        case schemaOutdated
        /// A statement that must run inside a transaction was run outside one.
        case notInTransaction
        /// The server answered something this code cannot read.
        case unexpectedResult
    }

    package let kind: Kind
    package let sqlState: SQLState?
    package let detail: String

    package init(_ kind: Kind, sqlState: SQLState? = nil, detail: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.detail = detail
    }

    package var description: String {
        switch kind {
        case .unavailable: "database unavailable"
        case .statementFailed: "database statement failed (SQLSTATE \(sqlState?.code ?? "none"))"
        case .schemaOutdated: "database schema is older than this code expects: run `payctl migrate`"
        case .notInTransaction: "statement must run inside a transaction"
        case .unexpectedResult: "unexpected database result"
        }
    }
}
