import Base
import Domain

/// `reconcile_runs`: each provider's run, which `payctl check` reads.
struct ReconcileStore {
    private let connection: PGConnection

    init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let record = """
            INSERT INTO reconcile_runs (provider, since, differences, unresolved, report, error)
            VALUES ($1, to_timestamp($2), $3, $4, $5::jsonb, $6)
            """
    }

    /// Keeps one provider's run: its differences, and how many still stand.
    func record(provider: Provider, since: Int64, differences: [Difference]) throws {
        let unresolved = differences.filter(\.stands).count
        let report = String(decoding: try JSONCoding.encode(differences), as: UTF8.self)
        try connection.query(SQL.record, [provider.rawValue, since, differences.count, unresolved, report, nil])
    }

    /// Keeps one provider's run that could not read the provider: nothing was compared.
    func record(_ failure: ReconcileError, since: Int64) throws {
        try connection.query(
            SQL.record, [failure.provider.rawValue, since, 0, 0, "[]", BoundedText.prefix(failure.reason, 300)])
    }
}
