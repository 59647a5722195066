import Foundation
import Testing

/// The pinned Python tools of `deploy/python-tools.txt`, in the venv `scripts/pytools` keeps, for
/// tests that hold our code against reference libraries. No Python or a failed install fails the
/// test: nothing is skipped.
enum PythonTools {
    /// The venv's bin folder, the pins installed on first use (once a test run).
    private static let bin = Result<URL, any Error> {
        let result = try Processes.execute(
            URL(fileURLWithPath: "/bin/bash"), [Repo.path("scripts/pytools")],
            environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw InstallFailed(description: "scripts/pytools failed: \(result.stderr)") }
        return URL(fileURLWithPath: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Why the tools are not there; thrown by every test that needs them, not only the first.
    struct InstallFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` with the venv's Python, `input` on its standard input; returns what it printed.
    static func run(_ script: String, input: String) throws -> String {
        let python = try bin.get().appendingPathComponent("python")
        let result = try Processes.execute(
            python, ["-c", script], environment: ProcessInfo.processInfo.environment, stdin: input)
        try #require(result.status == 0, "\(python.path) failed: \(result.stderr)")
        return result.stdout
    }
}
