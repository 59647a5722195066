import Core
import Foundation
import Logging
import StandIns
import Testing

/// A world whose events go somewhere: the downstream stand-in (webhook receivers and the user
/// service) on loopback, a sinks file pointing at it and at the Telegram stand-in, and a short
/// retry schedule.
final class Relaying: @unchecked Sendable {
    let world: World
    let downstream: DownstreamStandIn
    private let server: LoopbackServer
    let environment: [String: String]
    /// What the relays run in-process logged.
    let log = MemorySink()

    static let userServiceToken = "user-service-token-0123456789"

    /// `sinks` is the sinks file's `"sinks"` array; `DOWNSTREAM` in it stands for the stand-in's URL.
    init(sinks: String, _ extra: [String: String] = [:]) throws {
        downstream = try DownstreamStandIn()
        server = try LoopbackServer(handler: downstream.handle)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sinks-\(UUID().uuidString).json")
        let text = #"{"sinks": \#(sinks)}"#.replacingOccurrences(of: "DOWNSTREAM", with: server.baseURL)
        try Data(text.utf8).write(to: file)
        world = try World(
            [
                "SINKS_PATH": file.path, "CRM_WEBHOOK_SECRET": DownstreamStandIn.defaultWebhookSecret,
                "USER_SERVICE_TOKEN": Self.userServiceToken, "RELAY_RETRY_SCHEDULE": "50ms,50ms,50ms",
            ].merging(extra) { _, new in new })
        environment = world.environment
    }

    deinit { server.stop() }

    /// One drain in this process, as one invocation of `events-relay` makes it.
    @discardableResult
    func drain(budget: Int = 5_000, environment extra: [String: String] = [:]) throws -> Relay.Summary {
        let config = Config(environment: environment.merging(extra) { _, new in new })
        let logger = JSONLogHandler.logger(function: "events-relay", level: .debug, redactor: Redactor(), sink: log)
        return try Relay(settings: try Relay.Settings(config)).drain(budget: budget, logger: logger)
    }

    /// Drains until nothing is open or `seconds` pass (retries wait for their pause).
    func drainUntilSettled(seconds: Double = 5) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            try drain(budget: 2_000)
            if try world.count("SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retrying')") == 0 {
                return
            }
            usleep(30_000)
        }
    }

    /// `sink type status attempts` of every delivery, in the order they were made.
    func deliveries() throws -> [String] {
        try PGConnection(url: world.databaseURL).query(
            """
            SELECT d.sink || ' ' || e.type || ' ' || d.status || ' ' || d.attempts AS line
            FROM deliveries d JOIN events e ON e.seq = d.event_seq ORDER BY d.id
            """
        ).rows.map { try $0.requiredString("line") }
    }

    /// The webhooks that verified and were taken (2xx), in the order they arrived.
    var taken: [ReceivedWebhook] { downstream.receivedWebhooks.filter { $0.verified && $0.status < 300 } }

    /// A booking paid in the YooKassa stand-in and notified; returns its provider id.
    func paidBooking() throws -> String {
        let (_, provider) = try world.createBooking()
        let answer = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        #expect(answer.statusCode == 200, "\(answer.body)")
        return provider
    }
}
