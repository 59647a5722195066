import CLibPQ
import Glibc

/// One libpq connection. Statements carry their values as `$n` parameters only, so no value is
/// ever spliced into SQL text.
///
/// A statement with parameters is either sent whole each time (`PQexecParams`: an unnamed
/// statement, which a transaction pooler and a process that runs once both want), or, when the
/// connection `preparesStatements`, prepared once under a name (`PQprepare`) and then only
/// executed (`PQexecPrepared`), so PostgreSQL parses and plans it once per connection. A new
/// connection starts with none prepared, so a reconnect prepares again as it goes.
///
/// Behind a pooler (PgBouncer, RDS Proxy, a hosted one) the server session a name was prepared
/// on may be lent to another client between transactions, so a connection asked to prepare first
/// checks that it speaks to PostgreSQL itself: the backend its connection reports must be the one
/// the server says it is. At the first sign of a pooler it sends unnamed statements only
/// (`isPooled`). Names carry a token of the connection's own, so no statement ever runs under a
/// name another client prepared.
///
/// Not thread-safe: each thread or process owns its own connection.
package final class PGConnection {
    private let handle: OpaquePointer
    private let preparesStatements: Bool
    /// Whether a pooler stands between this connection and PostgreSQL (checked only when asked
    /// to prepare): then nothing is prepared.
    package let isPooled: Bool
    /// The prefix of this connection's statement names, unique to it.
    private let namePrefix: String
    /// The name each SQL text was prepared under on this connection.
    private var prepared: [String: String] = [:]
    /// Channels to `NOTIFY` once the open transaction commits (`notifyAfterCommit`).
    var pendingNotifications: Set<String> = []
    /// A `BEGIN` not sent yet: `transaction` defers it so that it travels with the first statement.
    var beginPending = false
    /// Whether the open transaction lets `send` defer writes (`transaction(defersWrites:)`).
    package var defersWrites = false
    /// Writes `send` deferred, in order, waiting for the next statement or the `COMMIT`.
    private var deferred: [Outgoing] = []
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
        isPooled = preparesStatements && Self.behindPooler(connection)
        self.preparesStatements = preparesStatements && !isPooled
        namePrefix = "payfn_" + Crypto.randomBytes(6).hexString + "_"
    }

    /// Whether this connection reaches PostgreSQL through a pooler, asked now (one round trip).
    package func throughPooler() -> Bool { isPooled || Self.behindPooler(handle) }

    /// Whether `connection` reaches PostgreSQL through a pooler: the backend PostgreSQL says serves
    /// it is not the one the connection was told of at start-up (a pooler reports its own). A
    /// check that cannot be made counts as a pooler, which only costs the preparing.
    private static func behindPooler(_ connection: OpaquePointer) -> Bool {
        guard let result = PQexec(connection, "SELECT pg_backend_pid()") else { return true }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK, PQntuples(result) == 1,
            let text = PQgetvalue(result, 0, 0), let serverPID = Int32(String(cString: text))
        else { return true }
        return serverPID != PQbackendPID(connection)
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

    /// Runs one statement with its parameters bound to `$1`, `$2`, …; nil binds SQL NULL. A `BEGIN`
    /// still pending and the writes `send` deferred travel with it, in the same round trip.
    @discardableResult
    package func query(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> PGResult {
        try exchange([try outgoing(sql, parameters)])[0].get()
    }

    /// Inside a transaction that `defersWrites`, queues a write whose answer nobody reads: it goes
    /// with the transaction's next statement or with its `COMMIT`, in the same round trip, and if it
    /// fails, the transaction fails there (one that finds a unique key taken runs again without
    /// deferring: `transaction(defersWrites:)`). Anywhere else it runs at once.
    package func send(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws {
        guard defersWrites, inTransaction else {
            try query(sql, parameters)
            return
        }
        deferred.append(try outgoing(sql, parameters))
    }

    /// Inserts a row unless its unique key is taken; true when it was inserted. `insert` is a plain
    /// `INSERT`, `orSkip` the same with `ON CONFLICT … DO NOTHING RETURNING …`. Where writes are
    /// deferred, `insert` is sent and true returned at once: a taken key then fails the transaction,
    /// which runs again with every write answered at once, so a false is never missed.
    package func insertOnce(_ insert: String, orSkip: String, _ parameters: [(any SQLParameter)?]) throws -> Bool {
        guard defersWrites, inTransaction else { return try query(orSkip, parameters).count == 1 }
        try send(insert, parameters)
        return true
    }

    /// A statement ready to go: its text, the name it is prepared under (if any), its values.
    private struct Outgoing {
        let sql: String
        let name: String?
        let values: [String?]

        init(_ sql: String, name: String? = nil, values: [String?] = []) {
            self.sql = sql
            self.name = name
            self.values = values
        }
    }

    private func outgoing(_ sql: String, _ parameters: [(any SQLParameter)?]) throws -> Outgoing {
        let name =
            preparesStatements && !parameters.isEmpty ? try statementName(sql, parameterCount: parameters.count) : nil
        return Outgoing(sql, name: name, values: parameters.map { $0?.sqlText })
    }

    /// Sends the pending `BEGIN`, the deferred writes and then `statements`, and returns the
    /// answers to `statements`; throws the first failure among what went before them. One
    /// statement alone is one exchange; several go as one pipeline (libpq's pipeline mode) with
    /// one sync point, so a failure makes the server skip the rest: those answers are failures too.
    private func exchange(_ statements: [Outgoing]) throws -> [Result<PGResult, StoreError>] {
        let leading = (beginPending ? [Outgoing("BEGIN")] : []) + deferred
        beginPending = false
        deferred = []
        let answers = run(leading + statements)
        for case .failure(let error) in answers.prefix(leading.count) { throw error }
        return Array(answers.dropFirst(leading.count))
    }

    private func run(_ statements: [Outgoing]) -> [Result<PGResult, StoreError>] {
        roundTrips += 1
        guard statements.count > 1 else {
            return [answer(withValues(statements[0]) { execute(statements[0], $0) })]
        }
        // libpq refuses pipeline mode only to a connection that is busy or lost: a failed send.
        guard PQenterPipelineMode(handle) == 1 else {
            return statements.map { _ in answer(nil) }
        }
        let sent =
            statements.allSatisfy { statement in withValues(statement) { queue(statement, $0) } }
            && PQpipelineSync(handle) == 1
        guard sent else {
            // Nothing can be read back in order from a half-sent pipeline: the connection is done.
            broken = true
            return statements.map { _ in answer(nil) }
        }
        // Each statement's answers end with a NULL: its first is kept, any other freed.
        let raw = statements.map { _ -> OpaquePointer? in
            let first = PQgetResult(handle)
            if first != nil {
                while let extra = PQgetResult(handle) { PQclear(extra) }
            }
            return first
        }
        if let sync = PQgetResult(handle) { PQclear(sync) }
        leavePipelineMode()
        return raw.map(answer)
    }

    private func answer(_ raw: OpaquePointer?) -> Result<PGResult, StoreError> {
        do { return .success(try check(raw)) } catch { return .failure(error) }
    }

    /// Calls `body` with the statement's values as C strings, freed after.
    private func withValues<T>(_ statement: Outgoing, _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let texts = statement.values.map { $0.map { strdup($0) } ?? nil }
        defer { texts.forEach { free($0) } }
        return body(texts.map { $0.map { UnsafePointer($0) } })
    }

    /// Runs the statement and returns its result; nil when libpq could not send it.
    private func execute(_ statement: Outgoing, _ values: [UnsafePointer<CChar>?]) -> OpaquePointer? {
        let count = Int32(values.count)
        guard let name = statement.name else {
            return PQexecParams(handle, statement.sql, count, nil, values, nil, nil, 0)
        }
        return PQexecPrepared(handle, name, count, values, nil, nil, 0)
    }

    /// Queues the statement in the pipeline; false when libpq could not.
    private func queue(_ statement: Outgoing, _ values: [UnsafePointer<CChar>?]) -> Bool {
        let count = Int32(values.count)
        guard let name = statement.name else {
            return PQsendQueryParams(handle, statement.sql, count, nil, values, nil, nil, 0) == 1
        }
        return PQsendQueryPrepared(handle, name, count, values, nil, nil, 0) == 1
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
        let name = namePrefix + String(prepared.count + 1)
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

    /// Runs a script of several statements without parameters: a migration.
    func runScript(_ sql: String) throws {
        if !deferred.isEmpty { _ = try exchange([]) }
        let script = beginPending ? "BEGIN; " + sql : sql
        beginPending = false
        roundTrips += 1
        _ = try check(PQexec(handle, script))
    }

    /// Commits the open transaction: the deferred writes, `COMMIT` and the `NOTIFY`s asked for go in
    /// one round trip, and a transaction that sent nothing sends nothing. A `NOTIFY` that fails after
    /// the commit is only a lost hint (listeners poll as well), so it is not an error.
    func commit() throws {
        let notifications = pendingNotifications.sorted().map { Outgoing("NOTIFY \($0)") }
        pendingNotifications = []
        if beginPending && deferred.isEmpty {
            beginPending = false
            return
        }
        _ = try exchange([Outgoing("COMMIT")] + notifications)[0].get()
    }

    /// Ends the open transaction, if one began, and forgets what it deferred (`BEGIN`, writes, `NOTIFY`s).
    func rollBack() {
        pendingNotifications = []
        deferred = []
        if beginPending {
            beginPending = false
        } else if inTransaction {
            _ = try? query("ROLLBACK")
        }
    }

    private func check(_ raw: OpaquePointer?) throws(StoreError) -> PGResult {
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
