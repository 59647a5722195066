import Base
import Logging
import Synchronization

/// `health` (`GET /health`): 200 when the database answers and its schema is the one this code
/// expects (or newer, during a rolling deploy); 503 otherwise, in the same shape, saying what is
/// wrong. One statement; the wait is bounded by the connect timeout. A warm process keeps its
/// answer for ``cacheLifetime``, so a flood of health checks costs the shared database one
/// statement a second per process (nginx limits them per address as well).
package struct HealthHandler: StoreReader {
    private let database: Database
    private let cache = Cache()

    /// How long an answer is reused.
    static let cacheLifetime = Duration.seconds(1)

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
        let now = ContinuousClock.now
        let kept = cache.kept.withLock { kept in kept.flatMap { now - $0.at < Self.cacheLifetime ? $0.report : nil } }
        let report = try kept ?? fresh(logger: logger, at: now)
        return .fresh(report, status: report.database == .ok ? 200 : 503)
    }

    /// Asks the database, and keeps the answer.
    private func fresh(logger: Logger, at now: ContinuousClock.Instant) throws -> Report {
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
        cache.kept.withLock { $0 = (now, report) }
        return report
    }

    /// The last answer and when it was made.
    private final class Cache: Sendable {
        let kept = Mutex<(at: ContinuousClock.Instant, report: Report)?>(nil)
    }

    /// `{"status","database","schema_version","expected_schema_version"}`, every field always
    /// present (`schema_version` null when the database could not be asked).
    private struct Report: Encodable, Sendable {
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
