import Base
import Edge
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// The entry point of `events-relay`: a function like the others (one timer tick on stdin, on
/// Lambda or from a timer), or with `--follow` (or `RELAY_FOLLOW=1`) a long-lived process that
/// wakes on new events and stops cleanly on SIGTERM or SIGINT.
package enum RelayMain {
    /// Set by SIGTERM and SIGINT: workers finish and commit the round they are in, then stop.
    private static let stopRequested = Atomic<Bool>(false)

    package static func run(arguments: [String] = CommandLine.arguments) -> Never {
        let environment = ProcessInfo.processInfo.environment
        let config = Config(environment: environment)
        guard arguments.contains("--follow") || (try? config.flag("RELAY_FOLLOW", default: false)) == true else {
            FunctionMain.run(name: "events-relay", makeHandler: RelayHandler.make)
        }
        let logger = JSONLogHandler.logger(
            function: "events-relay", level: (try? config.choice("LOG_LEVEL", default: Logger.Level.info)) ?? .info,
            redactor: Redactor(secrets: config.secretValues), sink: StandardErrorSink())
        do {
            let relay = Relay(settings: try Relay.Settings(config))
            let poll = try config.integer("RELAY_POLL_MS", default: 1_000, in: 10...60_000)
            signal(SIGTERM) { _ in RelayMain.stopRequested.store(true, ordering: .relaxed) }
            signal(SIGINT) { _ in RelayMain.stopRequested.store(true, ordering: .relaxed) }
            // A parent may have started this process with the signals blocked; they are the way to stop it.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            logger.info(
                "relay following",
                metadata: ["sinks": .stringConvertible(relay.settings.sinks.count), "poll_ms": "\(poll)"])
            relay.follow(poll: poll, logger: logger) { stopRequested.load(ordering: .relaxed) }
            exit(0)
        } catch {
            logger.critical("relay cannot start", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
