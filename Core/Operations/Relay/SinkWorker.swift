import Base
import FoundationEssentials
import Glibc
import Logging

/// One sink's share of a relay: its own connection and HTTP client, so a slow or failing sink
/// never holds up another. Each round fans new events out, claims what is due for the sink inside
/// a transaction, sends each claimed delivery once, records the attempts and commits.
final class SinkWorker {
    /// What one or more rounds did.
    struct Tally: Sendable, Equatable {
        var delivered = 0
        var retrying = 0
        var dead = 0
        /// Sinks this worker disabled (0 or 1 a round).
        var disabled = 0
        /// Events this worker fanned out.
        var fannedOut = 0
        /// Whether the last round found nothing to do while events still waited for a fan-out
        /// another worker holds: their deliveries appear once it commits.
        var fanOutHeldElsewhere = false

        var attempted: Int { delivered + retrying + dead }

        /// Whether the last round did or found anything, so another round is worth making now.
        var busy: Bool { attempted > 0 || fannedOut > 0 || fanOutHeldElsewhere }

        static func += (left: inout Tally, right: Tally) {
            left.delivered += right.delivered
            left.retrying += right.retrying
            left.dead += right.dead
            left.disabled += right.disabled
            left.fannedOut += right.fannedOut
            left.fanOutHeldElsewhere = right.fanOutHeldElsewhere
        }
    }

    private let sink: Sink
    /// The sink this worker delivers to.
    var sinkName: String { sink.name }
    private let settings: Relay.Settings
    private let database: Database
    private let transport: any SinkTransport
    private let http: any HTTPClient
    private let logger: Logger

    init(sink: Sink, settings: Relay.Settings, logger: Logger) {
        self.sink = sink
        self.settings = settings
        database = Database(url: settings.databaseURL, applicationName: "events-relay")
        transport = sink.transport
        http = CurlHTTPClient()
        var logger = logger
        logger[metadataKey: LogKey.sink] = .string(sink.name)
        self.logger = logger
    }

    /// One round; stops sending new deliveries once `deadline` (monotonic milliseconds) passes.
    func round(until deadline: Int) throws -> Tally {
        let connection = try database.connection()
        let store = DeliveryStore(connection: connection)
        var tally = Tally()
        tally.fannedOut = try store.fanOut(to: settings.sinks)
        // Asked before the claim: a fan-out another worker commits after this sees its deliveries
        // claimed below; one it has not committed yet shows here, and the round is tried again.
        let heldElsewhere = tally.fannedOut == 0 ? try store.awaitsFanOut() : false
        // Sends happen inside the transaction that holds the claims, so it is never run again.
        try connection.transaction(attempts: 1) {
            // A relay that hangs mid-round loses its claims to the server, not forever.
            try connection.query(
                "SET LOCAL idle_in_transaction_session_timeout = \(settings.roundMilliseconds + sink.timeoutMilliseconds + 10_000)"
            )
            let claimed = try store.claim(sink: sink.name, limit: settings.batch)
            let roundEnd = min(deadline, MonotonicClock.milliseconds + settings.roundMilliseconds)
            var attempts: [DeliveryStore.Attempt] = []
            for event in claimed where MonotonicClock.milliseconds < roundEnd {
                let attempt = attempt(event)
                attempts.append(attempt)
                switch attempt.status {
                case .delivered: tally.delivered += 1
                case .retrying: tally.retrying += 1
                case .dead, .pending: tally.dead += 1
                }
            }
            try store.record(attempts)
            if let reason = try SinkHealth(attempts).record(
                sink: sink.name, connection: connection, disableAfter: settings.disableAfterMilliseconds,
                goneAfter: settings.goneAfterMilliseconds)
            {
                tally.disabled += 1
                logger.error(
                    "\(LogKey.sinkDisabled)",
                    metadata: [LogKey.detail: .string(reason), "next": "payctl sinks resume \(sink.name)"])
            }
        }
        tally.fanOutHeldElsewhere = tally.attempted == 0 && heldElsewhere
        return tally
    }

    /// Sends `event` once and decides what comes next.
    private func attempt(_ event: OutboundEvent) -> DeliveryStore.Attempt {
        let startedAt = Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let started = MonotonicClock.milliseconds
        let answer = send(event)
        let latency = max(0, MonotonicClock.milliseconds - started)
        let status: DeliveryStatus
        var pause: Int?
        var error: String?
        switch answer {
        case .delivered:
            status = .delivered
        case .failed(_, let reason, let retryAfter):
            pause = settings.schedule.pause(afterAttempt: event.attempt, retryAfter: retryAfter)
            status = pause == nil ? .dead : .retrying
            error = reason
        case .refused(_, let reason):
            status = .dead
            error = reason
        }
        let scrubbed = error.map { BoundedText.prefix(settings.redactor.scrub($0), 300) }
        log(event, status: status, answer: answer, error: scrubbed, latency: latency)
        return DeliveryStore.Attempt(
            id: event.deliveryID, attempt: event.attempt, status: status, pause: pause, statusCode: answer.statusCode,
            error: scrubbed, startedAt: startedAt, latency: latency)
    }

    /// One attempt at `event`: the sink's request sent once, and its answer read by the sink.
    private func send(_ event: OutboundEvent) -> SinkAnswer {
        switch transport.request(event, timeoutMilliseconds: sink.timeoutMilliseconds, now: Int64(time(nil))) {
        case .answered(let answer):
            return answer
        case .send(let request):
            do throws(TransportError) {
                return transport.answer(try http.send(request), now: Int64(time(nil)))
            } catch {
                return SinkAnswer.transport(error)
            }
        }
    }

    private func log(_ event: OutboundEvent, status: DeliveryStatus, answer: SinkAnswer, error: String?, latency: Int) {
        var metadata: Logger.Metadata = [
            LogKey.deliveryID: .stringConvertible(event.deliveryID), LogKey.domainEventID: .string(event.eventID),
            LogKey.domainEventType: .string(event.type.rawValue), LogKey.attempt: .stringConvertible(event.attempt),
            LogKey.deliveryStatus: .string(status.rawValue), "latency_ms": .stringConvertible(latency),
        ]
        if let code = answer.statusCode { metadata["status_code"] = .stringConvertible(code) }
        if let error { metadata[LogKey.detail] = .string(error) }
        switch status {
        case .delivered, .pending: logger.debug("\(LogKey.deliveryAttempted)", metadata: metadata)
        case .retrying: logger.warning("\(LogKey.deliveryAttempted)", metadata: metadata)
        case .dead: logger.error("\(LogKey.deliveryAttempted)", metadata: metadata)
        }
    }
}
