import ArgumentParser
import Core
import FoundationEssentials
import Glibc
import Logging

/// Shared plumbing of the payctl commands: the environment, the database, output and failures.
struct Console {
    let config: Config
    let json: Bool
    private let redactor: Redactor

    init(json: Bool) {
        config = Config(environment: ProcessInfo.processInfo.environment)
        self.json = json
        redactor = Redactor(secrets: config.secretValues)
    }

    /// Prints `human` for people or `machine` as one line of JSON for scripts (called once per
    /// item, a stream of JSON lines).
    func emit<Machine: Encodable>(human: TerminalText, machine: Machine) {
        if json {
            print(String(decoding: (try? JSONCoding.encode(machine)) ?? [], as: UTF8.self))
        } else {
            print(redactor.scrub(human.rendered))
        }
    }

    /// A remark for people on stderr, so it never mixes with output for scripts.
    func note(_ text: TerminalText) {
        FileHandleStderr.write(redactor.scrub(text.rendered) + "\n")
    }

    /// Who is at the console, for the audit trail: `PAYCTL_OPERATOR`, else the Unix user.
    var operatorName: String {
        if let named = config.optional("PAYCTL_OPERATOR"), !named.isEmpty { return BoundedText.clip(named, 64) }
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return BoundedText.clip(String(cString: name), 64)
    }

    /// A logger for provider calls: warnings and errors on stderr, as JSON lines.
    var logger: Logger { JSONLogHandler.logger(function: "payctl", level: .warning, redactor: redactor) }

    /// Colour for a terminal, none for JSON or pipes.
    var style: Style { json ? Style(enabled: false) : Style() }

    /// A connection from `DATABASE_URL`, or a failure that says what to do next.
    func connect() throws -> PGConnection {
        let url: String
        do {
            url = try config.required("DATABASE_URL")
            try config.checkSecretLengths()
        } catch let error as ConfigError {
            throw fail(
                .configuration, "\(error.variable) \(error.problem).",
                next: "export DATABASE_URL=postgresql://… (see README).")
        }
        do {
            return try PGConnection(url: url, applicationName: "payctl")
        } catch let error as StoreError {
            throw fail(
                .database, "cannot connect to the database: \(error.detail)",
                next: "check DATABASE_URL and that PostgreSQL is running.")
        }
    }

    /// The sinks of the sinks file (`SINKS_PATH`; none when unset), or a failure that says what to do.
    func sinks() throws -> [Sink] {
        do {
            return try SinkFile.load(config)
        } catch {
            throw fail(.configuration, "\(error.variable) \(error.problem).", next: "fix the sinks file.")
        }
    }

    /// Runs a store operation, turning store errors into failures with next steps.
    func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            switch error.kind {
            case .schemaOutdated:
                throw fail(
                    .database, "the database schema is older than this payctl expects.", next: "run `payctl migrate`.")
            default:
                throw fail(.database, "database error: \(error.detail)", next: "check the database and try again.")
            }
        }
    }

    /// Prints the failure and its next step on stderr and gives the exit code to end with.
    func fail(_ code: ExitStatus, _ message: TerminalText, next: TerminalText) -> ExitCode {
        let text = "payctl: \(redactor.scrub(message.rendered))\nNext step: \(redactor.scrub(next.rendered))\n"
        FileHandleStderr.write(text)
        return ExitCode(code.rawValue)
    }
}

/// payctl's exit codes: 0 success, 1 a finding an operator should act on, 2 a usage or
/// configuration problem, 3 the database could not be used, 4 a provider's API could not be used.
enum ExitStatus: Int32 {
    case finding = 1
    case configuration = 2
    case database = 3
    case provider = 4
}

/// Writes text to standard error.
enum FileHandleStderr {
    static func write(_ text: String) {
        StandardErrorSink().write(line: Array(text.utf8))
    }
}
