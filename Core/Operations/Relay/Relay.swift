import Base
import Dispatch
import Glibc
import Logging
import Providers
import Synchronization

/// The relay: delivers every domain event to the sinks that want it, at least once, in order per
/// sink and aggregate. One worker a sink (a thread, a connection); any number of relays may run at
/// once, since a delivery is claimed with `FOR UPDATE SKIP LOCKED` for as long as it is in flight.
package struct Relay: Sendable {
    /// What every worker shares.
    package struct Settings: Sendable {
        package let sinks: [Sink]
        package let schedule: RetrySchedule
        package let databaseURL: String
        /// Where a following relay `LISTEN`s for its wake-ups: `RELAY_LISTEN_URL`, a direct
        /// connection when `DATABASE_URL` goes through a pooler, else `DATABASE_URL`.
        package let listenURL: String
        /// Keeps secrets out of stored errors.
        package let redactor: Redactor
        /// Deliveries claimed at once per sink (`RELAY_BATCH`).
        package let batch: Int
        /// How long one round may keep sending before it commits.
        package let roundMilliseconds: Int
        /// How long a sink may fail every attempt before it is disabled (`SINK_DISABLE_AFTER`);
        /// nil for never (`off`).
        package let disableAfterMilliseconds: Int?
        /// How long a sink may answer 410 Gone to every attempt before it is disabled
        /// (`SINK_GONE_AFTER`); nil for never (`off`).
        package let goneAfterMilliseconds: Int?

        /// The settings the environment gives: `SINKS_PATH` (and what the sinks file names),
        /// `RELAY_RETRY_SCHEDULE`, `RELAY_BATCH`, `DATABASE_URL`, `RELAY_LISTEN_URL`,
        /// `SINK_DISABLE_AFTER` (default 5 days) and `SINK_GONE_AFTER` (default 1 day).
        package init(_ config: Config) throws {
            sinks = try SinkFile.load(config)
            schedule = try RetrySchedule(config)
            databaseURL = try config.required("DATABASE_URL")
            listenURL = config.optional("RELAY_LISTEN_URL") ?? databaseURL
            try config.checkSecretLengths()
            redactor = Redactor(secrets: config.secretValues)
            batch = try config.integer("RELAY_BATCH", default: 100, in: 1...1_000)
            roundMilliseconds = 10_000
            disableAfterMilliseconds = try Self.limit(config, "SINK_DISABLE_AFTER", default: "5d")
            goneAfterMilliseconds = try Self.limit(config, "SINK_GONE_AFTER", default: "1d")
        }

        /// A sink-disabling limit: a positive duration, or `off` for never.
        private static func limit(_ config: Config, _ name: String, default defaultValue: String) throws -> Int? {
            if config.optional(name) == "off" { return nil }
            let milliseconds = try config.duration(name, default: defaultValue)
            guard milliseconds > 0 else {
                throw ConfigError(variable: name, problem: "must be a positive duration such as 5d, or off")
            }
            return milliseconds
        }
    }

    /// What a drain did, and what is still due: the function's answer.
    package struct Summary: Sendable, Encodable, Equatable {
        package let delivered: Int
        package let retrying: Int
        package let dead: Int
        package let due: Int
        /// Sinks this drain disabled.
        package let sinksDisabled: Int

        package init(delivered: Int, retrying: Int, dead: Int, due: Int, sinksDisabled: Int = 0) {
            self.delivered = delivered
            self.retrying = retrying
            self.dead = dead
            self.due = due
            self.sinksDisabled = sinksDisabled
        }

        enum CodingKeys: String, CodingKey {
            case delivered, retrying, dead, due
            case sinksDisabled = "sinks_disabled"
        }
    }

    package let settings: Settings

    package init(settings: Settings) { self.settings = settings }

    /// Delivers what is due until nothing is or `budget` milliseconds are spent.
    package func drain(budget: Int, logger: Logger) throws -> Summary {
        let deadline = MonotonicClock.milliseconds + budget
        let total = Mutex(SinkWorker.Tally())
        forEachSink(logger: logger) { worker in
            var tally = SinkWorker.Tally()
            while MonotonicClock.milliseconds < deadline {
                let round: SinkWorker.Tally
                do {
                    round = try worker.round(until: deadline)
                } catch {
                    // What was claimed rolls back and is due again on the next drain.
                    logger.error(
                        "relay round failed", metadata: [LogKey.sink: .string(worker.sinkName), "error": "\(error)"])
                    break
                }
                tally += round
                if !round.busy { break }
                if round.fanOutHeldElsewhere { usleep(UInt32(Self.heldFanOutPause) * 1_000) }
            }
            total.withLock { $0 += tally }
        }
        let store = DeliveryStore(
            connection: try PGConnection(url: settings.databaseURL, applicationName: "events-relay"))
        if settings.sinks.isEmpty { try store.fanOut(to: []) }
        let due = try store.dueCount()
        let tally = total.withLock { $0 }
        return Summary(
            delivered: tally.delivered, retrying: tally.retrying, dead: tally.dead, due: due,
            sinksDisabled: tally.disabled)
    }

    /// Runs until `stopping` says so: each worker delivers what is due, then sleeps until a
    /// `NOTIFY events` wakes it or `poll` milliseconds pass (the poll is the truth, the
    /// notification a hint). A round in progress finishes and commits before the worker stops.
    package func follow(poll: Int, logger: Logger, stopping: @escaping @Sendable () -> Bool) {
        let wakes = settings.sinks.map { _ in DispatchSemaphore(value: 0) }
        let listener = DispatchQueue(label: "relay.listen")
        listener.async {
            Self.listen(url: settings.listenURL, logger: logger, stopping: stopping) {
                for wake in wakes { wake.signal() }
            }
        }
        if settings.sinks.isEmpty {
            logger.warning("no sinks configured: events are only marked published")
            let database = Database(url: settings.databaseURL, applicationName: "events-relay")
            while !stopping() {
                _ = try? DeliveryStore(connection: database.connection()).fanOut(to: [])
                usleep(UInt32(poll) * 1_000)
            }
        }
        forEachSink(logger: logger) { worker in
            let index = settings.sinks.firstIndex { $0.name == worker.sinkName } ?? 0
            while !stopping() {
                var pause = poll
                do {
                    let round = try worker.round(until: MonotonicClock.milliseconds + settings.roundMilliseconds)
                    if round.busy { pause = round.fanOutHeldElsewhere ? min(poll, Self.heldFanOutPause) : 0 }
                } catch {
                    logger.error(
                        "relay round failed", metadata: [LogKey.sink: .string(worker.sinkName), "error": "\(error)"])
                }
                if pause > 0 { _ = wakes[index].wait(timeout: .now() + .milliseconds(pause)) }
            }
        }
        logger.info("relay stopped")
    }

    /// Runs `body` with a worker for each sink, each on its own thread, and waits for all.
    private func forEachSink(logger: Logger, _ body: @escaping @Sendable (SinkWorker) -> Void) {
        let group = DispatchGroup()
        for sink in settings.sinks {
            let settings = settings
            DispatchQueue(label: "relay.\(sink.name)").async(group: group) {
                body(SinkWorker(sink: sink, settings: settings, logger: logger))
            }
        }
        group.wait()
    }

    /// Listens for `NOTIFY events` on a connection of its own, calling `wake` for each, and
    /// reconnects after a lost connection; returns once `stopping` says so.
    private static func listen(
        url: String, logger: Logger, stopping: @Sendable () -> Bool, wake: () -> Void
    ) {
        var connection: PGConnection?
        while !stopping() {
            do {
                let current = try connection ?? PGConnection(url: url, applicationName: "events-relay")
                if connection == nil { try current.query("LISTEN events") }
                connection = current
                if try current.waitForNotification(timeoutMilliseconds: 1_000) { wake() }
            } catch {
                logger.warning("relay listener lost its connection", metadata: ["error": "\(error)"])
                connection = nil
                usleep(1_000_000)
            }
        }
    }

    /// Milliseconds a worker waits for another worker's fan-out to commit before looking again.
    static let heldFanOutPause = 5
}
