import Core
import Foundation
import StandIns
import Testing

@Suite struct YooKassaWebhookTests {
    @Test func succeededIsAppliedOnceAcrossRepeatedDeliveries() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let first = try world.notify(notification)
        #expect(first.statusCode == 200)
        #expect(first.json["outcome"] as? String == "processed")
        let second = try world.notify(notification)
        #expect(second.statusCode == 200)
        #expect(second.json["outcome"] as? String == "duplicate")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(
            try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid' AND aggregate_id = $1", [local])
                == 1)
        #expect(try world.value("SELECT deliveries FROM webhook_events") == "1", "a duplicate writes nothing")
    }

    @Test func twentyConcurrentDeliveriesHaveOneEffect() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let answers = concurrently(20) { _ in try world.notify(notification) }
        let outcomes = try answers.map { try $0.get().json["outcome"] as? String ?? "" }
        #expect(outcomes.filter { $0 == "processed" }.count == 1)
        #expect(outcomes.filter { $0 == "duplicate" }.count == 19)
        #expect(
            try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid' AND aggregate_id = $1", [local])
                == 1)
        #expect(try world.value("SELECT deliveries FROM webhook_events") == "1", "applied once")
    }

    @Test func canceledAfterSucceededIsRecordedOutOfOrder() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (local, provider) = try world.createBooking()
        let succeeded = try #require(world.yookassa.settle(provider, "succeed"))
        let canceled = try #require(world.yookassa.settle(provider, "cancel"))
        #expect(try world.notify(succeeded).json["outcome"] as? String == "processed")
        let late = try world.notify(canceled)
        #expect(late.statusCode == 200)
        #expect(late.json["outcome"] as? String == "out_of_order_ignored")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_failed'") == 0)
        #expect(
            try world.count(
                "SELECT count(*) FROM webhook_events WHERE outcome = 'out_of_order_ignored' AND event_type = 'payment.canceled'"
            ) == 1)
    }

    @Test func staleWaitingForCaptureAfterSuccessIsIgnored() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let waiting = try #require(world.yookassa.settle(provider, "wait"))
        let succeeded = try #require(world.yookassa.settle(provider, "succeed"))
        #expect(try world.notify(succeeded).json["outcome"] as? String == "processed")
        let stale = try world.notify(waiting)
        #expect(stale.statusCode == 200)
        #expect(stale.json["outcome"] as? String == "no_change", "the API says succeeded, which it already is")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 1)
    }

    @Test func spoofedSourceIsRefused() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        for source in ["203.0.113.9", "::ffff:203.0.113.9", "2001:db8::1", "not-an-ip"] {
            let answer = try world.notify(notification, from: source, headers: ["X-Forwarded-For": "185.71.76.5"])
            #expect(answer.statusCode == 403, "\(source)")
            #expect(answer.errorCode == "untrusted_source")
        }
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "pending")
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
    }

    @Test func trustedSourcesIncludingMappedAndProxied() throws {
        let world = try World(["TRUSTED_PROXIES": "10.0.0.0/8"])
        let (_, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        #expect(try world.notify(notification, from: "::ffff:185.71.76.5").statusCode == 200)
        #expect(try world.notify(notification, from: "2a02:5180:0:1509::10").statusCode == 200)
        #expect(
            try world.notify(notification, from: "10.1.2.3", headers: ["X-Forwarded-For": "198.51.100.1, 77.75.153.10"])
                .statusCode == 200)
        #expect(
            try world.notify(notification, from: "10.1.2.3", headers: ["X-Forwarded-For": "77.75.153.10, 198.51.100.1"])
                .statusCode == 403,
            "only the nearest untrusted hop counts")
    }

    @Test func trustedSourceClaimingSuccessTheAPIDeniesPaysNothing() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        var forged = try #require(
            JSONSerialization.jsonObject(with: Data(world.yookassa.settle(provider, "wait")!)) as? [String: Any])
        var object = forged["object"] as! [String: Any]
        object["status"] = "succeeded"
        forged["event"] = "payment.succeeded"
        forged["object"] = object
        let answer = try world.notify(Array(try JSONSerialization.data(withJSONObject: forged)))
        #expect(answer.statusCode == 202, "the claim is not confirmed, so the key stays open for the real notification")
        #expect(answer.json["outcome"] as? String == "not_confirmed")
        #expect(
            try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "waiting_for_capture",
            "the API's answer is the truth")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 0)
    }

    @Test func unknownPaymentIs202AndARedeliveryIsProcessed() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let saved = try PGConnection(url: world.databaseURL)
        try saved.query("UPDATE payments SET provider_payment_id = NULL")
        let unknown = try world.notify(notification)
        #expect(unknown.statusCode == 202)
        #expect(unknown.json["outcome"] as? String == "unknown_payment")
        try saved.query("UPDATE payments SET provider_payment_id = $1", [provider])
        let again = try world.notify(notification)
        #expect(again.json["outcome"] as? String == "processed")
        #expect(
            try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid' AND aggregate_id = $1", [local])
                == 1)
    }

    @Test func notificationForAnObjectYooKassaDoesNotKnowIsRefused() throws {
        let world = try World()
        let body =
            #"{"type":"notification","event":"payment.succeeded","object":{"id":"2203aa1d-000f-5000-8000-17102541fd31","status":"succeeded","amount":{"value":"500.00","currency":"RUB"}}}"#
        let answer = try world.notify(Array(body.utf8))
        #expect(answer.statusCode == 403)
        #expect(answer.errorCode == "notification_not_confirmed")
    }

    @Test func canceledGivesPaymentFailedWithItsCategory() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "cancel", reason: "3d_secure_failed"))
        #expect(try world.notify(notification).json["outcome"] as? String == "processed")
        #expect(
            try world.value("SELECT failure_category FROM payments WHERE id = $1::uuid", [local]) == "3d_secure_failed")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_failed' AND payload->>'failure_category' = '3d_secure_failed'"
            ) == 1)
    }

    @Test func refundAfterSuccess() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        _ = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        let refund = try world.notify(try #require(world.yookassa.settle(provider, "refund")))
        #expect(refund.json["outcome"] as? String == "processed")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "refunded")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_refunded' AND (payload->>'refund_amount_minor')::bigint = 50000"
            ) == 1)
    }

    @Test func subscriptionSuccessGivesSubscriptionPaid() throws {
        let world = try World()
        #expect(try world.createIntent(#"{"plan_id":"premium","user_id":"user-9"}"#).statusCode == 201)
        let provider = try #require(try world.value("SELECT provider_payment_id FROM payments"))
        let answer = try world.notify(try #require(world.yookassa.settle(provider, "succeed")))
        #expect(answer.statusCode == 200, "\(answer.body)")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'subscription_paid' AND payload->>'user_id' = 'user-9'") == 1)
    }

    @Test func tamperedAmountIsNotApplied() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (local, provider) = try world.createBooking()
        let text = String(decoding: try #require(world.yookassa.settle(provider, "succeed")), as: UTF8.self)
            .replacingOccurrences(of: "\"500.00\"", with: "\"5.00\"")
        let answer = try world.notify(Array(text.utf8))
        #expect(answer.json["outcome"] as? String == "amount_mismatch")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "pending")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 0)
    }

    @Test func otherEventsAreAcknowledgedAndRecorded() throws {
        let world = try World(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let body =
            #"{"type":"notification","event":"payout.succeeded","object":{"id":"po-28559c6b-000f-5000-8000-1a2b3c4d5e6f","status":"succeeded"}}"#
        let answer = try world.notify(Array(body.utf8))
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "ignored")
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE outcome = 'ignored'") == 1)
    }

    @Test(arguments: [
        "", "{", #"{"type":"other","event":"payment.succeeded","object":{"id":"x"}}"#,
        #"{"type":"notification","event":"payment.succeeded"}"#,
    ])
    func malformedNotificationsAre400(_ body: String) throws {
        let world = try World()
        let answer = try world.notify(Array(body.utf8))
        #expect(answer.statusCode == 400)
        #expect(answer.errorCode == "invalid_notification")
    }

    @Test func apiUnavailableIs503SoYooKassaRedelivers() throws {
        let world = try World(["YOOKASSA_TIMEOUT_MS": "300"])
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        world.yookassa.inject(Array(repeating: YooKassaStandIn.Fault(.status, status: 500), count: 50))
        let answer = try world.notify(notification)
        #expect(answer.statusCode == 503)
        #expect(answer.errorCode == "verification_unavailable")
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
        world.yookassa.clearFaults()
        #expect(try world.notify(notification).json["outcome"] as? String == "processed")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
    }

    @Test func databaseDownIs503() throws {
        let world = try World()
        let (_, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let answer = try world.notify(notification, environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        #expect(answer.statusCode == 503)
        #expect(answer.errorCode == "database_unavailable")
    }

    @Test func databaseLostMidTransactionLeavesNothingHalfWritten() throws {
        let world = try World()
        let (local, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        let admin = try PGConnection(url: world.databaseURL)
        try admin.query(
            """
            CREATE FUNCTION lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$
            """)
        try admin.query(
            "CREATE TRIGGER lose_connection BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION lose_connection()")
        let answer = try world.notify(notification)
        #expect(answer.statusCode == 503)
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0, "the event row went with the transaction")
        #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "pending")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 0)

        try admin.query("DROP TRIGGER lose_connection ON payments")
        #expect(try world.notify(notification).json["outcome"] as? String == "processed", "the redelivery succeeds")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 1)
    }

    @Test func noCardDataIsStoredOrLogged() throws {
        let world = try World()
        let (_, provider) = try world.createBooking()
        let notification = try #require(world.yookassa.settle(provider, "succeed"))
        #expect(
            String(decoding: notification, as: UTF8.self).contains("4477"), "the stand-in sends card data like YooKassa"
        )
        let invocation = Invocation.v2(
            body: String(decoding: notification, as: UTF8.self), path: "/api/webhooks/yookassa",
            sourceIP: "185.71.76.5",
            environment: world.environment.merging(["LOG_LEVEL": "trace"]) { _, new in new })
        #expect(try invocation.run(name: "yookassa-webhook", makeHandler: YooKassaWebhookSource.make).statusCode == 200)
        let stored = try world.everything()
        let logged = invocation.sink.lines.joined(separator: "\n")
        for fragment in ["4477", "555555", "expiry", "MasterCard", "Bank card", world.yookassa.secretKey] {
            #expect(!stored.contains(fragment), "database holds \(fragment)")
            #expect(!logged.contains(fragment), "log holds \(fragment)")
        }
    }
}
