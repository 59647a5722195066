import CLibPQ
import Glibc

/// One libpq connection. Statements go through `PQexecParams` with `$n` placeholders only,
/// so no value is ever spliced into SQL text.
///
/// Not thread-safe: each thread or process owns its own connection.
package final class PGConnection {
    private let handle: OpaquePointer

    /// Connects with `url` (a libpq URI or `key=value` conninfo).
    ///
    /// `connect_timeout`, `application_name` and `gssencmode=disable` are defaults the URL may override.
    package init(url: String, applicationName: String = "payment-functions", connectTimeoutSeconds: Int = 5) throws {
        let keywords = ["connect_timeout", "application_name", "gssencmode", "dbname"]
        let values = [String(connectTimeoutSeconds), applicationName, "disable", url]
        let cKeywords = keywords.map { strdup($0) }
        let cValues = values.map { strdup($0) }
        defer {
            cKeywords.forEach { free($0) }
            cValues.forEach { free($0) }
        }
        let kw: [UnsafePointer<CChar>?] = cKeywords.map { UnsafePointer($0) } + [nil]
        let vals: [UnsafePointer<CChar>?] = cValues.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(kw, vals, 1) else {
            throw StoreError(.unavailable, detail: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw StoreError(.unavailable, detail: message)
        }
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// True while the connection is usable.
    package var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True inside an open transaction block.
    package var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Runs one statement with its parameters bound to `$1`, `$2`, …; nil binds SQL NULL.
    @discardableResult
    package func query(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> PGResult {
        let texts = parameters.map { $0.map { strdup($0.sqlText) } ?? nil }
        defer { texts.forEach { free($0) } }
        let values: [UnsafePointer<CChar>?] = texts.map { $0.map { UnsafePointer($0) } }
        let result = PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
        return try check(result)
    }

    /// Waits up to `timeoutMilliseconds` for a `NOTIFY` on a channel this connection `LISTEN`s
    /// to; true when at least one came (all that came are consumed).
    package func waitForNotification(timeoutMilliseconds: Int) throws -> Bool {
        if consumeNotifications() { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeoutMilliseconds)) > 0 else { return false }
        guard PQconsumeInput(handle) == 1 else {
            throw StoreError(.unavailable, detail: Self.trimmed(PQerrorMessage(handle)))
        }
        return consumeNotifications()
    }

    private func consumeNotifications() -> Bool {
        var any = false
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            any = true
        }
        return any
    }

    /// Runs a script of several statements without parameters: migrations only.
    func runScript(_ sql: String) throws {
        _ = try check(PQexec(handle, sql))
    }

    private func check(_ raw: OpaquePointer?) throws -> PGResult {
        guard let raw else {
            throw StoreError(isOpen ? .statementFailed : .unavailable, detail: Self.trimmed(PQerrorMessage(handle)))
        }
        let result = PGResult(raw)
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        default:
            let state = PQresultErrorField(raw, Self.diagSQLState).map { SQLState(String(cString: $0)) }
            let message =
                PQresultErrorField(raw, Self.diagMessagePrimary).map { String(cString: $0) }
                ?? Self.trimmed(PQerrorMessage(handle))
            throw Self.error(state: state, message: message, connectionOpen: isOpen)
        }
    }

    static func error(state: SQLState?, message: String, connectionOpen: Bool) -> StoreError {
        if let state, state.isSchemaMismatch {
            return StoreError(.schemaOutdated, sqlState: state, detail: message)
        }
        if !connectionOpen || state?.isConnectionLoss == true {
            return StoreError(.unavailable, sqlState: state, detail: message)
        }
        return StoreError(.statementFailed, sqlState: state, detail: message)
    }

    private static let diagSQLState = Int32(UInt8(ascii: "C"))
    private static let diagMessagePrimary = Int32(UInt8(ascii: "M"))

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
