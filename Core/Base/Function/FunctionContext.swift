import Logging

/// What a function's handler is built from: its configuration, its logger and, on demand,
/// the database.
package final class FunctionContext {
    /// The function's name, e.g. `create-intent`.
    package let name: String
    package let config: Config
    package let logger: Logger
    /// Whether this process serves many requests (FastCGI, Lambda's Runtime API) rather than one.
    package let longLived: Bool
    private var database: Database?

    package init(name: String, config: Config, logger: Logger, longLived: Bool = false) {
        self.name = name
        self.config = config
        self.logger = logger
        self.longLived = longLived
    }

    /// The store, from `DATABASE_URL`; it connects on first use. A long-lived process prepares
    /// each statement once on its connection unless `DATABASE_PREPARED_STATEMENTS=false`, and never
    /// behind a pooler, which its connection notices (`PGConnection.isPooled`); a process that
    /// answers once sends unnamed statements unless it is `true`.
    package func store() throws -> Database {
        if let database { return database }
        let made = Database(
            url: try config.required("DATABASE_URL"), applicationName: name,
            preparesStatements: try config.flag("DATABASE_PREPARED_STATEMENTS", default: longLived))
        database = made
        return made
    }

    /// The request-body limit in bytes, from `MAX_BODY_BYTES` (default 1 MiB).
    package func bodyLimit() throws -> Int {
        try config.integer("MAX_BODY_BYTES", default: 1_048_576, in: 1_024...16_777_216)
    }
}
