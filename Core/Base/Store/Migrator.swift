/// Applies the versioned migrations, each in its own transaction.
///
/// The version row is inserted first with `ON CONFLICT DO NOTHING`, so two migrators racing
/// each other apply every step once: the second waits on the first's row and then skips it.
package struct Migrator {
    private let connection: PGConnection
    private let migrations: [Migration]

    package init(connection: PGConnection, migrations: [Migration] = Migration.all) {
        self.connection = connection
        self.migrations = migrations
    }

    private enum SQL {
        static let createTable = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """
        static let claim = """
            INSERT INTO schema_migrations (version, name) VALUES ($1, $2)
            ON CONFLICT (version) DO NOTHING RETURNING version
            """
        static let current = "SELECT coalesce(max(version), 0) AS version FROM schema_migrations"
    }

    /// Applies every step not yet applied and returns the versions it applied now.
    @discardableResult
    package func migrate() throws -> [Int] {
        try createVersionTable()
        var applied: [Int] = []
        for migration in migrations {
            let ran = try connection.transaction {
                guard try connection.query(SQL.claim, [migration.version, migration.name]).count == 1 else {
                    return false
                }
                try connection.runScript(migration.sql)
                return true
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }

    /// `CREATE TABLE IF NOT EXISTS` is not safe against a concurrent twin: the loser of the race
    /// gets a duplicate error although the table now exists, which is all it wanted.
    private func createVersionTable() throws {
        do {
            try connection.query(SQL.createTable)
        } catch let error as StoreError
            where [.duplicateTable, .duplicateObject, .uniqueViolation].contains(error.sqlState)
        {}
    }

    /// The highest applied version, 0 for an empty database.
    package func currentVersion() throws -> Int {
        do {
            return Int(try connection.query(SQL.current).first?.requiredInt("version") ?? 0)
        } catch let error as StoreError where error.kind == .schemaOutdated {
            return 0
        }
    }
}
