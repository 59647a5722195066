import Core
import Foundation
import StandIns
import Testing

/// Several relays at once, as processes following the outbox: every delivery arrives, none is
/// in flight twice, each aggregate's events arrive in order, and killing a relay mid-delivery
/// loses nothing.
@Suite(.serialized) struct RelayConcurrencyTests {
    static let sinks =
        #"[{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["*"], "secret_env": "CRM_WEBHOOK_SECRET"}]"#
    static let batch = 20

    /// `count` events spread over `aggregates` payments, written straight into the outbox.
    private func write(_ count: Int, over aggregates: Int, _ relaying: Relaying) throws {
        let connection = try PGConnection(url: relaying.world.databaseURL)
        try connection.query(
            """
            INSERT INTO events (type, aggregate_type, aggregate_id, payload)
            SELECT 'booking_paid', 'payment', 'agg-' || (n % $2), jsonb_build_object('n', n, 'amount_minor', 100, 'currency', 'RUB')
            FROM generate_series(1, $1) AS n
            """, [count, aggregates])
    }

    private func start(_ count: Int, _ relaying: Relaying, _ extra: [String: String] = [:]) throws -> [Process] {
        let environment = relaying.environment.merging([
            "RELAY_FOLLOW": "1", "RELAY_POLL_MS": "50", "RELAY_BATCH": String(Self.batch),
        ]) { _, new in new }.merging(extra) { _, new in new }
        return try (0..<count).map { _ in try Processes.spawn("events-relay", environment: environment) }
    }

    private func waitUntilDelivered(_ count: Int, _ relaying: Relaying, seconds: Double = 90) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try relaying.world.count("SELECT count(*) FROM deliveries WHERE status = 'delivered'") == count {
                return
            }
            usleep(100_000)
        }
        Issue.record("not every delivery was delivered in \(seconds)s: \(try relaying.deliveries().count) deliveries")
    }

    /// The `n` of each taken webhook, per aggregate, in arrival order.
    private func arrivals(_ relaying: Relaying) throws -> [String: [Int]] {
        var byAggregate: [String: [Int]] = [:]
        for webhook in relaying.taken {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(webhook.body)) as? [String: Any])
            let data = try #require(body["data"] as? [String: Any])
            let aggregate = try #require(data["aggregate_id"] as? String)
            byAggregate[aggregate, default: []].append(try #require(data["n"] as? Int))
        }
        return byAggregate
    }

    /// SIGTERM to each relay: each finishes its round and exits 0 within a few seconds.
    private func stop(_ relays: [Process]) {
        for relay in relays where relay.isRunning { relay.terminate() }
        let end = Date().addingTimeInterval(10)
        while Date() < end, relays.contains(where: \.isRunning) { usleep(50_000) }
        for relay in relays where relay.isRunning {
            Issue.record("relay \(relay.processIdentifier) did not stop on SIGTERM")
            kill(relay.processIdentifier, SIGKILL)
        }
        for relay in relays {
            relay.waitUntilExit()
            #expect(relay.terminationReason == .exit && relay.terminationStatus == 0)
        }
    }

    @Test func twoRelaysDeliverEachEventOnceInOrder() throws {
        let relaying = try Relaying(sinks: Self.sinks)
        relaying.downstream.setFault(DownstreamFault(stallMilliseconds: 2), on: "/hooks/crm")
        let relays = try start(2, relaying)
        defer { stop(relays) }
        try write(300, over: 25, relaying)
        try waitUntilDelivered(300, relaying)

        let ids = relaying.downstream.receivedWebhooks.compactMap(\.id)
        #expect(ids.count == 300 && Set(ids).count == 300, "every event exactly once")
        for (aggregate, numbers) in try arrivals(relaying) {
            #expect(numbers == numbers.sorted(), "\(aggregate) out of order: \(numbers)")
        }
        #expect(try relaying.world.count("SELECT count(*) FROM events WHERE published_at IS NULL") == 0)
    }

    /// Four relays, as on four hosts, each reaching PostgreSQL through PgBouncer in transaction mode
    /// with one server connection for all of them, and listening on a direct connection
    /// (`RELAY_LISTEN_URL`): every event once, each aggregate in order.
    @Test func fourRelaysBehindATransactionPoolerDeliverEachEventOnceInOrder() throws {
        let relaying = try Relaying(sinks: Self.sinks)
        let port = try #require(
            ProcessInfo.processInfo.environment["PAYFN_POOLER_PORT"],
            "PAYFN_POOLER_PORT is not set: run the tests with scripts/test, which starts PgBouncer")
        let name = try #require(relaying.world.databaseURL.split(separator: "?").first?.split(separator: "/").last)
        let relays = try start(
            4, relaying,
            [
                "DATABASE_URL": "postgresql://postgres@127.0.0.1:\(port)/\(name)",
                "RELAY_LISTEN_URL": relaying.world.databaseURL,
            ])
        defer { stop(relays) }
        try write(200, over: 20, relaying)
        try waitUntilDelivered(200, relaying)

        let ids = relaying.downstream.receivedWebhooks.compactMap(\.id)
        #expect(ids.count == 200 && Set(ids).count == 200, "every event exactly once")
        for (aggregate, numbers) in try arrivals(relaying) {
            #expect(numbers == numbers.sorted(), "\(aggregate) out of order: \(numbers)")
        }
    }

    @Test func eightRelaysWithOneKilledLoseNothing() throws {
        let relaying = try Relaying(sinks: Self.sinks)
        relaying.downstream.setFault(DownstreamFault(stallMilliseconds: 5), on: "/hooks/crm")
        var relays = try start(8, relaying)
        defer { stop(relays) }
        try write(400, over: 40, relaying)
        let end = Date().addingTimeInterval(30)
        while Date() < end, try relaying.world.count("SELECT count(*) FROM deliveries WHERE status = 'delivered'") < 100
        {
            usleep(20_000)
        }
        let victim = relays.removeFirst()
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        try waitUntilDelivered(400, relaying)

        let ids = relaying.downstream.receivedWebhooks.compactMap(\.id)
        #expect(Set(ids).count == 400, "every event arrived")
        // Only what the killed relay had in flight may arrive twice.
        #expect(ids.count - Set(ids).count <= Self.batch)
        for (aggregate, numbers) in try arrivals(relaying) {
            var seen = Set<Int>()
            let firsts = numbers.filter { seen.insert($0).inserted }
            #expect(firsts == firsts.sorted(), "\(aggregate) out of order: \(numbers)")
        }
    }
}
