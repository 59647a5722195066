import Core
import Foundation
import Testing

/// Databases for tests, each new and empty, in the cluster `scripts/test` starts.
enum TestDatabase {
    /// The cluster's URL from `DATABASE_URL`; without it the test fails, never skips.
    static func clusterURL() throws -> String {
        let url = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the tests with scripts/test, which starts PostgreSQL")
        return url
    }

    /// A new database, migrated unless `migrated` is false; returns its URL.
    static func fresh(migrated: Bool = true) throws -> String {
        let cluster = try clusterURL()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PGConnection(url: cluster)
        try admin.query("CREATE DATABASE \(name)")
        // Statements are counted only where a test asks (WarmReadTests): the statements of a run's
        // hundreds of databases could otherwise fill pg_stat_statements and evict counted ones.
        try admin.query("ALTER DATABASE \(name) SET pg_stat_statements.track = none")
        let parts = cluster.split(separator: "?", maxSplits: 1)
        let url = "postgresql:///\(name)" + (parts.count > 1 ? "?\(parts[1])" : "")
        if migrated { try Migrator(connection: PGConnection(url: url)).migrate() }
        return url
    }

    /// A URL where nothing listens: a database that is down.
    static let unreachableURL = "postgresql:///payments?host=/nonexistent-socket-dir&port=5999&connect_timeout=1"
}

/// Paths inside the repository.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relative)))
    }
}

/// Runs `body` on `count` threads that start together; returns the results in index order.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let results = ResultsBox<T>(count: count)
    let start = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            start.wait()
            results.set(index, Result { try body(index) })
            group.leave()
        }
        thread.start()
    }
    for _ in 0..<count { start.signal() }
    group.wait()
    return results.values
}

private final class ResultsBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<T, Error>?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<T, Error>) { lock.withLock { storage[index] = value } }

    var values: [Result<T, Error>] { lock.withLock { storage.map { $0! } } }
}
