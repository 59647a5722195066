import Logging

/// `health` (`GET /health`): 200 when the database answers and its schema is the one this code
/// expects (or newer, during a rolling deploy); 503 otherwise, in the same shape, saying what is
/// wrong. One statement; the wait is bounded by the connect timeout.
package struct HealthHandler: StoreReader {
    private let database: Database

    package init(database: Database) { self.database = database }

    /// Load balancers and monitors ask it, not pages: it answers no CORS.
    package var browserFacing: Bool { false }

    /// The verdict: `ok` (200) or `unavailable` (503).
    enum Status: String, Encodable {
        case ok
        case unavailable
    }

    /// What the database is, as health reports it.
    enum DatabaseState: String, Encodable {
        case ok
        case unreachable
        case schemaOutdated = "schema_outdated"
    }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        let report: Report
        do {
            let version = try Migrator(connection: try database.connection()).currentVersion()
            report = Report(
                database: version >= Migration.latestVersion ? .ok : .schemaOutdated, schemaVersion: version)
        } catch let error as StoreError where error.kind == .unavailable {
            logger.error("health: database unreachable", metadata: ["detail": .string(error.detail)])
            report = Report(database: .unreachable, schemaVersion: nil)
        }
        if report.database == .schemaOutdated {
            logger.error(
                "health: schema outdated, run payctl migrate",
                metadata: ["schema_version": .stringConvertible(report.schemaVersion ?? 0)])
        }
        return .fresh(report, status: report.database == .ok ? 200 : 503)
    }

    /// `{"status","database","schema_version","expected_schema_version"}`, every field always
    /// present (`schema_version` null when the database could not be asked).
    private struct Report: Encodable {
        let database: DatabaseState
        let schemaVersion: Int?

        enum Key: CodingKey { case status, database, schema_version, expected_schema_version }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(database == .ok ? Status.ok : .unavailable, forKey: .status)
            try container.encode(database, forKey: .database)
            try container.encode(schemaVersion, forKey: .schema_version)
            try container.encode(Migration.latestVersion, forKey: .expected_schema_version)
        }
    }
}
