/// A PostgreSQL SQLSTATE code, with names for the ones this project acts on.
public struct SQLState: Sendable, Hashable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code }

    public static let uniqueViolation = SQLState("23505")
    public static let checkViolation = SQLState("23514")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let undefinedTable = SQLState("42P01")
    public static let undefinedColumn = SQLState("42703")
    public static let duplicateTable = SQLState("42P07")
    public static let duplicateObject = SQLState("42710")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")

    /// The two-character class, e.g. `08` for connection exceptions.
    public var sqlClass: Substring { code.prefix(2) }

    /// A transaction that failed this way can be run again as a whole.
    public var isRetryableTransaction: Bool { self == .serializationFailure || self == .deadlockDetected }

    /// The server or the connection went away.
    public var isConnectionLoss: Bool {
        sqlClass == "08" || self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow
    }

    /// The schema lacks a table or column this code expects.
    public var isSchemaMismatch: Bool { self == .undefinedTable || self == .undefinedColumn }

    public var description: String { code }
}
