import Core
import Foundation
import StandIns
import Synchronization
import Testing

/// The relay end to end: real webhooks write domain events, the relay delivers them to real
/// loopback receivers, and every failure mode ends where it should.
@Suite struct RelayTests {
    static let crm =
        #"[{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["booking_paid", "payment_refunded"], "secret_env": "CRM_WEBHOOK_SECRET", "timeout_ms": 2000}]"#

    @Test func aPaidBookingReachesTheCRMSignedAndIsPublished() throws {
        let relaying = try Relaying(sinks: Self.crm)
        let provider = try relaying.paidBooking()
        let summary = try relaying.drain()
        #expect(summary == Relay.Summary(delivered: 1, retrying: 0, dead: 0, due: 0))

        let received = try #require(relaying.downstream.receivedWebhooks.first)
        #expect(relaying.downstream.receivedWebhooks.count == 1)
        #expect(received.verified && received.status == 204 && received.type == "booking_paid")
        let eventID = try relaying.world.value("SELECT id FROM events WHERE type = 'booking_paid'")
        #expect(received.id == eventID)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["amount"] as? String == "500.00" && data["currency"] as? String == "RUB")
        #expect(data["provider_payment_id"] as? String == provider)
        #expect(body["timestamp"] is String)
        #expect(try relaying.deliveries() == ["crm booking_paid delivered 1"])
        #expect(
            try relaying.world.count(
                "SELECT count(*) FROM events WHERE published_at IS NOT NULL AND type = 'booking_paid'") == 1)
        // payment_started is wanted by no sink: published at fan-out.
        #expect(try relaying.world.count("SELECT count(*) FROM events WHERE published_at IS NULL") == 0)
    }

    @Test func theFunctionDrainsOnATimerTick() throws {
        let relaying = try Relaying(sinks: Self.crm)
        _ = try relaying.paidBooking()
        let tick =
            #"{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#
        let result = try Processes.execute(
            try Processes.product("events-relay"), [], environment: relaying.environment, stdin: tick)
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try #require(result.json as? [String: Int])
        #expect(answer == ["delivered": 1, "retrying": 0, "dead": 0, "due": 0, "sinks_disabled": 0])
        #expect(relaying.taken.count == 1)
    }

    @Test func aPaidSubscriptionReachesTheUserServiceAndARefundRevokesIt() throws {
        let relaying = try Relaying(
            sinks:
                #"[{"name": "users", "kind": "user-service", "url": "DOWNSTREAM", "events": ["*"], "token_env": "USER_SERVICE_TOKEN"}]"#
        )
        let world = relaying.world
        #expect(try world.createIntent(#"{"plan_id":"basic","user_id":"user-77"}"#).statusCode == 201)
        let provider = try #require(try world.value("SELECT provider_payment_id FROM payments"))
        _ = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        try relaying.drain()

        let call = try #require(relaying.downstream.subscriptionCalls.first)
        #expect(call.userID == "user-77" && call.status == 200)
        #expect(call.authorization == "Bearer \(Relaying.userServiceToken)")
        let deliveryID = try world.value("SELECT id FROM deliveries")
        #expect(call.idempotencyKey == deliveryID)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any])
        #expect(body["status"] as? String == "active" && body["plan_id"] as? String == "basic")
        #expect(body["duration_days"] as? Int == 30)
        #expect(body["payment_id"] as? String == (try world.value("SELECT id FROM payments")))
        #expect(body["activated_at"] is String && body["expires_at"] is String)

        _ = try world.notify(try #require(world.yookassa.settle(provider, "refund")))
        try relaying.drain()
        let calls = relaying.downstream.subscriptionCalls
        #expect(calls.count == 2)
        let revoked = try #require(try JSONSerialization.jsonObject(with: Data(calls[1].body)) as? [String: Any])
        #expect(revoked["status"] as? String == "revoked")
        #expect(revoked["expires_at"] as? String == body["activated_at"] as? String)
    }

    @Test func aStarsPurchaseReachesItsBuyerOnTelegram() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "buyer", "kind": "telegram", "events": ["purchase_succeeded"], "chat": "buyer"}]"#)
        let world = relaying.world
        let (invoice, _) = try world.invoice(#"{"user_id": 424242, "item_id": "hint-pack"}"#)
        let purchase = try #require(
            (try JSONSerialization.jsonObject(with: Data(invoice.body.utf8)) as? [String: Any])?["purchase_id"]
                as? String)
        let (paid, _) = try world.purchase(
            #"{"user_id": 424242, "item_id": "hint-pack", "purchase_id": "\#(purchase)"}"#)
        #expect(paid.statusCode == 200, "\(paid.body)")
        try relaying.drain()

        let message = try #require(world.telegram.messages.first)
        #expect(world.telegram.messages.count == 1)
        #expect(message["chat_id"] as? Int == 424_242)
        #expect((message["text"] as? String)?.contains("hint-pack") == true)
        #expect(try relaying.deliveries() == ["buyer purchase_succeeded delivered 1"])
    }

    @Test func telegramsRetryAfterIsHonoured() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "ops", "kind": "telegram", "events": ["booking_paid"], "chat": -1001234}]"#)
        relaying.world.telegram.failNext(429, retryAfter: 40)
        _ = try relaying.paidBooking()
        #expect(try relaying.drain().retrying == 1)
        #expect(
            try relaying.world.count(
                "SELECT count(*) FROM deliveries WHERE last_status_code = 429 AND next_attempt_at > now() + interval '35 seconds'"
            ) == 1)
        try PGConnection(url: relaying.world.databaseURL).query("UPDATE deliveries SET next_attempt_at = now()")
        #expect(try relaying.drain().delivered == 1)
        #expect(relaying.world.telegram.messages.first?["chat_id"] as? Int == -1_001_234)
    }

    @Test func anEventWithoutABuyerIsNoRecipientNotARetryLoop() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "buyer", "kind": "telegram", "events": ["booking_paid"], "chat": "buyer"}]"#)
        _ = try relaying.paidBooking()
        let summary = try relaying.drain()
        #expect(summary.dead == 1 && summary.retrying == 0)
        #expect(relaying.world.telegram.messages.isEmpty)
        #expect(try relaying.deliveries() == ["buyer booking_paid dead 1"])
        let error = try relaying.world.value("SELECT last_error FROM deliveries")
        #expect(error?.hasPrefix(SinkAnswer.noRecipient) == true)
    }

    @Test func failuresAreRetriedOnTheScheduleUntilTaken() throws {
        let relaying = try Relaying(sinks: Self.crm)
        relaying.downstream.setFault(DownstreamFault(status: 500, span: .next(2)), on: "/hooks/crm")
        _ = try relaying.paidBooking()
        let first = try relaying.drain()
        #expect(first.retrying == 1 && first.delivered == 0)
        try relaying.drainUntilSettled()
        #expect(try relaying.deliveries() == ["crm booking_paid delivered 3"])
        let codes = try PGConnection(url: relaying.world.databaseURL).query(
            "SELECT status_code FROM delivery_attempts ORDER BY attempt"
        ).rows.map { try $0.requiredInt("status_code") }
        #expect(codes == [500, 500, 204])
        // Every attempt carries the same webhook-id, so the receiver can deduplicate.
        #expect(Set(relaying.downstream.receivedWebhooks.map(\.id)).count == 1)
    }

    @Test func aPermanentRefusalIsDeadAtOnceAndTheScheduleEnds() throws {
        let relaying = try Relaying(sinks: Self.crm, ["RELAY_RETRY_SCHEDULE": "10ms"])
        relaying.downstream.setFault(DownstreamFault(status: 410), on: "/hooks/crm")
        _ = try relaying.paidBooking()
        try relaying.drainUntilSettled()
        #expect(try relaying.deliveries() == ["crm booking_paid dead 1"])

        relaying.downstream.setFault(DownstreamFault(status: 503), on: "/hooks/crm")
        #expect(
            try Processes.run(["deliveries", "retry", "--sink", "crm"], environment: relaying.environment)
                .status == 0)
        try relaying.drainUntilSettled()
        // One more attempt after the manual retry, then the spent schedule makes it dead again.
        #expect(try relaying.deliveries() == ["crm booking_paid dead 2"])
    }

    @Test func retryAfterIsHonoured() throws {
        let relaying = try Relaying(sinks: Self.crm)
        relaying.downstream.setFault(
            DownstreamFault(status: 429, retryAfter: "30", span: .next(1)), on: "/hooks/crm")
        _ = try relaying.paidBooking()
        #expect(try relaying.drain().retrying == 1)
        #expect(
            try relaying.world.count(
                "SELECT count(*) FROM deliveries WHERE next_attempt_at > now() + interval '25 seconds'") == 1)
    }

    @Test func laterEventsOfAnAggregateWaitWhileAnEarlierOneRetriesAndOtherSinksGoOn() throws {
        let sinks = #"""
            [{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["booking_paid", "payment_refunded"], "secret_env": "CRM_WEBHOOK_SECRET"},
             {"name": "audit", "kind": "webhook", "url": "DOWNSTREAM/hooks/audit", "events": ["booking_paid", "payment_refunded"], "secret_env": "CRM_WEBHOOK_SECRET"}]
            """#
        let relaying = try Relaying(sinks: sinks)
        relaying.downstream.setFault(DownstreamFault(status: 500, span: .next(2)), on: "/hooks/crm")
        let provider = try relaying.paidBooking()
        _ = try relaying.world.notify(try #require(relaying.world.yookassa.settle(provider, "refund")))

        try relaying.drain()
        let crm = relaying.downstream.receivedWebhooks.filter { $0.receiver == "crm" }
        #expect(crm.map(\.type) == ["booking_paid"], "the refund must wait for the payment")
        #expect(relaying.taken.filter { $0.receiver == "audit" }.map(\.type) == ["booking_paid", "payment_refunded"])

        try relaying.drainUntilSettled()
        #expect(relaying.taken.filter { $0.receiver == "crm" }.map(\.type) == ["booking_paid", "payment_refunded"])
        #expect(
            try relaying.world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_refunded' AND published_at IS NOT NULL") == 1)
    }

    /// A drain whose fan-out finds the new events locked by another worker's fan-out (two sinks
    /// fanning out at once) waits for that fan-out to commit instead of ending with them undelivered.
    @Test func aDrainWaitsForAFanOutHeldByAnotherWorker() throws {
        let relaying = try Relaying(sinks: Self.crm)
        _ = try relaying.paidBooking()
        let other = try PGConnection(url: relaying.world.databaseURL)
        try other.query("BEGIN")
        try other.query("SELECT seq FROM events WHERE fanned_out_at IS NULL FOR UPDATE")
        let drained = Mutex<Relay.Summary?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            drained.withLock { $0 = try? relaying.drain(budget: 5_000) }
            done.signal()
        }
        usleep(300_000)
        try other.query("ROLLBACK")
        done.wait()
        #expect(drained.withLock { $0 } == Relay.Summary(delivered: 1, retrying: 0, dead: 0, due: 0))
        #expect(relaying.taken.map(\.type) == ["booking_paid"])
    }

    @Test func aSinkAddedLaterGetsNoHistoryUnlessBackfilled() throws {
        let relaying = try Relaying(sinks: "[]")
        _ = try relaying.paidBooking()
        try relaying.drain()
        let later = try Relaying(sinks: Self.crm, ["DATABASE_URL": relaying.world.databaseURL])
        try later.drain()
        #expect(later.downstream.receivedWebhooks.isEmpty)

        let backfill = try Processes.run(
            ["deliveries", "backfill", "--sink", "crm", "--since", "1h"], environment: later.environment)
        #expect(backfill.status == 0, "\(backfill.stderr)")
        #expect(backfill.stdout.contains("1 event(s)"))
        try later.drain()
        #expect(later.taken.map(\.type) == ["booking_paid"])
    }
}
