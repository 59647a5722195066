import CLibPQ
import Glibc

/// One libpq connection. Statements carry their values as `$n` parameters only, so no value is
/// ever spliced into SQL text.
///
/// A statement with parameters is either sent whole each time (`PQexecParams`: an unnamed
/// statement, which pgbouncer in transaction mode and a process that runs once both want), or,
/// when the connection `preparesStatements`, prepared once under a name (`PQprepare`) and then
/// only executed (`PQexecPrepared`), so PostgreSQL parses and plans it once per connection. A new
/// connection starts with none prepared, so a reconnect prepares again as it goes.
///
/// Not thread-safe: each thread or process owns its own connection.
package final class PGConnection {
    private let handle: OpaquePointer
    private let preparesStatements: Bool
    /// The name each SQL text was prepared under on this connection.
    private var prepared: [String: String] = [:]
    /// Channels to `NOTIFY` once the open transaction commits (`notifyAfterCommit`).
    var pendingNotifications: Set<String> = []
    /// A `BEGIN` not sent yet: `transaction` defers it so that it travels with the first statement.
    var beginPending = false
    /// Set when the connection was left in a state no statement can follow; it then counts as closed.
    private var broken = false
    /// Exchanges with the server so far (a statement, a prepare, a pipelined group: one each).
    package private(set) var roundTrips = 0

    /// Connects with `url` (a libpq URI or `key=value` conninfo).
    ///
    /// `connect_timeout`, `application_name` and `gssencmode=disable` are defaults the URL may override.
    package init(
        url: String, applicationName: String = "payment-functions", connectTimeoutSeconds: Int = 5,
        preparesStatements: Bool = false
    ) throws {
        self.preparesStatements = preparesStatements
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
    package var isOpen: Bool { !broken && PQstatus(handle) == CONNECTION_OK }

    /// True inside an open transaction block.
    package var inTransaction: Bool {
        if beginPending { return true }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Runs one statement with its parameters bound to `$1`, `$2`, …; nil binds SQL NULL.
    @discardableResult
    package func query(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> PGResult {
        let texts = parameters.map { $0.map { strdup($0.sqlText) } ?? nil }
        defer { texts.forEach { free($0) } }
        let values: [UnsafePointer<CChar>?] = texts.map { $0.map { UnsafePointer($0) } }
        let name = preparesStatements && !values.isEmpty ? try statementName(sql, parameterCount: values.count) : nil
        if beginPending {
            beginPending = false
            return try afterBegin(sql, name: name, values: values)
        }
        roundTrips += 1
        guard let name else {
            return try check(PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0))
        }
        return try check(PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0))
    }

    /// Sends `BEGIN` and the statement together (libpq's pipeline mode) and reads both answers:
    /// one round trip where two were.
    private func afterBegin(_ sql: String, name: String?, values: [UnsafePointer<CChar>?]) throws -> PGResult {
        // libpq refuses pipeline mode only to a connection that is busy or lost: a failed send.
        guard PQenterPipelineMode(handle) == 1 else { return try check(nil) }
        roundTrips += 1
        let count = Int32(values.count)
        let sent =
            PQsendQueryParams(handle, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
            && (name.map { PQsendQueryPrepared(handle, $0, count, values, nil, nil, 0) }
                ?? PQsendQueryParams(handle, sql, count, nil, values, nil, nil, 0)) == 1
            && PQpipelineSync(handle) == 1
        // Each query's answer is followed by a NULL; the sync point ends the group.
        let begin = sent ? PQgetResult(handle) : nil
        if begin != nil { _ = PQgetResult(handle) }
        let statement = begin != nil ? PQgetResult(handle) : nil
        if statement != nil { _ = PQgetResult(handle) }
        if let sync = statement != nil ? PQgetResult(handle) : nil { PQclear(sync) }
        leavePipelineMode()
        do {
            _ = try check(begin)
        } catch {
            if let statement { PQclear(statement) }
            throw error
        }
        return try check(statement)
    }

    /// Back to one statement at a time; a connection that cannot get there counts as closed, so
    /// `Database` makes a new one.
    private func leavePipelineMode() {
        for _ in 0..<8 where PQexitPipelineMode(handle) != 1 {
            guard let leftover = PQgetResult(handle) else { continue }
            PQclear(leftover)
        }
        if PQpipelineStatus(handle) != PQ_PIPELINE_OFF { broken = true }
    }

    /// The name `sql` is prepared under on this connection, preparing it now if it is not yet.
    /// Prepared statements belong to the session, not to a transaction: a rollback keeps them.
    private func statementName(_ sql: String, parameterCount: Int) throws -> String {
        if let name = prepared[sql] { return name }
        let name = "payfn_\(prepared.count + 1)"
        roundTrips += 1
        _ = try check(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        prepared[sql] = name
        return name
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

    /// Has `channel` notified once the open transaction has committed, in the same round trip as
    /// its `COMMIT` but in a transaction of its own: a `NOTIFY` inside the transaction would hold
    /// PostgreSQL's notify lock through the commit's flush, one committer at a time.
    package func notifyAfterCommit(_ channel: StaticString) {
        pendingNotifications.insert(channel.description)
    }

    /// Runs a script of several statements without parameters: a migration, or a `COMMIT` with the
    /// `NOTIFY`s after it.
    func runScript(_ sql: String) throws {
        let script = beginPending ? "BEGIN; " + sql : sql
        beginPending = false
        roundTrips += 1
        _ = try check(PQexec(handle, script))
    }

    /// Ends the open transaction, if one began, and forgets what it deferred (`BEGIN`, `NOTIFY`s).
    func rollBack() {
        pendingNotifications = []
        if beginPending {
            beginPending = false
        } else if inTransaction {
            _ = try? query("ROLLBACK")
        }
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
