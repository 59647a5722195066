import ArgumentParser
import Core

/// `payctl migrate`: applies the schema migrations this build knows.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations (safe to run again).")

    @Flag(help: "Print JSON for scripts.") var json = false

    struct Report: Encodable {
        let applied: [Int]
        let version: Int
    }

    func run() throws {
        let console = Console(json: json)
        let connection = try console.connect()
        let migrator = Migrator(connection: connection)
        let applied = try console.run { try migrator.migrate() }
        let version = try console.run { try migrator.currentVersion() }
        let human: TerminalText =
            applied.isEmpty
            ? "Schema is up to date at version \(version)."
            : "Applied \(applied.count) migration(s): \(applied.map(String.init).joined(separator: ", ")). Schema is at version \(version)."
        console.emit(human: human, machine: Report(applied: applied, version: version))
    }
}
