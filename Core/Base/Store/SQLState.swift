/// A PostgreSQL SQLSTATE code, with names for the ones this project acts on.
package struct SQLState: Sendable, Hashable, CustomStringConvertible {
    package let code: String

    package init(_ code: String) { self.code = code }

    package static let uniqueViolation = SQLState("23505")
    package static let checkViolation = SQLState("23514")
    package static let serializationFailure = SQLState("40001")
    package static let deadlockDetected = SQLState("40P01")
    package static let undefinedTable = SQLState("42P01")
    package static let undefinedColumn = SQLState("42703")
    package static let duplicateTable = SQLState("42P07")
    package static let duplicateObject = SQLState("42710")
    package static let adminShutdown = SQLState("57P01")
    package static let crashShutdown = SQLState("57P02")
    package static let cannotConnectNow = SQLState("57P03")

    /// The two-character class, e.g. `08` for connection exceptions.
    package var sqlClass: Substring { code.prefix(2) }

    /// A transaction that failed this way can be run again as a whole.
    package var isRetryableTransaction: Bool { self == .serializationFailure || self == .deadlockDetected }

    /// The server or the connection went away.
    package var isConnectionLoss: Bool {
        sqlClass == "08" || self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow
    }

    /// The schema lacks a table or column this code expects.
    package var isSchemaMismatch: Bool { self == .undefinedTable || self == .undefinedColumn }

    package var description: String { code }
}
