import Core
import Foundation
import StandIns
import Testing

@Suite struct StripeWebhookTests {
    @Test func paidCheckoutSessionFulfilsOnce() throws {
        let world = try World()
        let event = world.stripe.makeEvent(
            "checkout.session.completed", dealID: "deal_42", amount: 4_900, paymentIntent: "pi_paid1")
        let (answer, log) = try world.deliver(event)
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "processed")
        #expect(try world.outcome(event) == "duplicate")
        #expect(try world.status(paymentIntent: "pi_paid1") == "succeeded")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' = 'deal_42' AND (payload->>'amount_minor')::bigint = 4900"
            ) == 1)
        let received = try #require(log.first { $0.contains(#""message":"Stripe webhook received""#) })
        for field in [
            #""event_id":"\#(event["id"]!)""#, #""event_type":"checkout.session.completed""#, #""provider":"stripe""#,
        ] {
            #expect(received.contains(field))
        }
        for step in ["signature verified", "deduplicated", "persisted", "status updated", "automation event emitted"] {
            let line = try #require(log.first { $0.contains(#""message":"\#(step)""#) }, "\(step)")
            for field in [#""deal_id":"deal_42""#, #""payment_intent_id":"pi_paid1""#, #""session_id":"cs_test_"#] {
                #expect(line.contains(field), "\(step): \(field)")
            }
        }
        let steps = try #require(
            try PGConnection(url: world.databaseURL).query("SELECT steps::text AS steps FROM webhook_events").first?
                .string("steps"))
        #expect(steps.contains("automation event emitted"))
    }

    @Test func twentyConcurrentDeliveriesOneEffect() throws {
        let world = try World()
        let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_7", paymentIntent: "pi_many")
        let (body, signature) = world.stripe.signedDelivery(event)
        let text = String(decoding: body, as: UTF8.self)
        let outcomes = try concurrently(20) { _ in
            let invocation = Invocation.v2(
                body: text, path: "/api/webhooks/stripe", headers: ["Stripe-Signature": signature],
                environment: world.environment)
            return try invocation.run(name: "stripe-webhook", makeHandler: StripeWebhookSource.make).json["outcome"]
                as? String
        }.map { try $0.get() }
        #expect(outcomes.filter { $0 == "processed" }.count == 1)
        #expect(outcomes.filter { $0 == "duplicate" }.count == 19)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_paid'") == 1)
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE deliveries = 1") == 1, "applied once")
    }

    /// Refunds are counted from their own `refund.*` events (also those made in the Dashboard);
    /// `charge.refunded` names no refund and counts nothing, so nothing is counted twice.
    @Test func dashboardRefundsAddUpFromTheirOwnEvents() throws {
        let world = try World()
        #expect(
            try world.outcome(
                world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_9", paymentIntent: "pi_order"))
                == "processed")
        let part = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_order", amount: 900))
        #expect(try world.outcome(part) == "processed")
        #expect(try world.outcome(part) == "duplicate")
        #expect(try world.status(paymentIntent: "pi_order") == "succeeded")
        #expect(
            try world.outcome(world.stripe.makeEvent("charge.refunded", dealID: "deal_9", paymentIntent: "pi_order"))
                == "ignored")
        let rest = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_order"))
        #expect(try world.outcome(rest) == "processed")
        #expect(try world.status(paymentIntent: "pi_order") == "refunded")
        #expect(
            try world.text(
                """
                SELECT string_agg((payload->>'refund_amount_minor') || ':' || (payload->>'full'), ',' ORDER BY seq) AS v
                FROM events WHERE type = 'deal_refunded'
                """) == "900:false,4000:true")
        #expect(
            try world.count("SELECT count(*) FROM refunds WHERE requested_by IS NULL AND status = 'succeeded'") == 2)
        // A refund of a payment this shop has not recorded is kept open for its redelivery.
        world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_10", paymentIntent: "pi_unseen")
        let stranger = try #require(world.stripe.refundInDashboard(paymentIntent: "pi_unseen"))
        #expect(try world.outcome(stranger) == "unknown_payment")
    }

    @Test func delayedMethodIsFulfilledOnlyWhenPaid() throws {
        let world = try World()
        let unpaid = world.stripe.makeEvent(
            "checkout.session.completed", dealID: "deal_5", paymentStatus: "unpaid", paymentIntent: "pi_async")
        #expect(try world.outcome(unpaid) == "processed")
        #expect(try world.status(paymentIntent: "pi_async") == "pending")
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_paid'") == 0)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'deal_awaiting_payment'") == 1)
        #expect(
            try world.outcome(
                world.stripe.makeEvent(
                    "checkout.session.async_payment_succeeded", dealID: "deal_5", paymentIntent: "pi_async"))
                == "processed")
        #expect(try world.status(paymentIntent: "pi_async") == "succeeded")
        #expect(
            try world.count("SELECT count(*) FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' = 'deal_5'")
                == 1)
    }

    @Test func asyncFailureCancels() throws {
        let world = try World()
        _ = try world.outcome(
            world.stripe.makeEvent(
                "checkout.session.completed", dealID: "deal_6", paymentStatus: "unpaid", paymentIntent: "pi_fail"))
        #expect(
            try world.outcome(
                world.stripe.makeEvent(
                    "checkout.session.async_payment_failed", dealID: "deal_6", paymentIntent: "pi_fail")) == "processed"
        )
        #expect(try world.status(paymentIntent: "pi_fail") == "canceled")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'deal_payment_failed' AND payload->>'failure_category' = 'async_payment_failed'"
            ) == 1)
    }

    @Test func failedPaymentIntentCanStillSucceed() throws {
        let world = try World()
        #expect(
            try world.outcome(
                world.stripe.makeEvent("payment_intent.payment_failed", dealID: "deal_8", paymentIntent: "pi_retry"))
                == "processed")
        #expect(try world.status(paymentIntent: "pi_retry") == "pending")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'deal_payment_failed' AND payload->>'failure_category' = 'insufficient_funds'"
            ) == 1)
        #expect(
            try world.outcome(
                world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_8", paymentIntent: "pi_retry"))
                == "processed")
        #expect(try world.status(paymentIntent: "pi_retry") == "succeeded")
    }

    @Test func invoicesInBothShapes() throws {
        let world = try World()
        let basil = world.stripe.makeEvent(
            "invoice.payment_succeeded", dealID: "deal_sub", amount: 1_500, currency: "eur")
        #expect(try world.outcome(basil) == "processed")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'invoice_paid' AND payload->>'deal_id' = 'deal_sub' AND payload->>'subscription_id' LIKE 'sub_%' AND payload->>'currency' = 'EUR'"
            ) == 1)

        var object = try #require((basil["data"] as? [String: Any])?["object"] as? [String: Any])
        object["id"] = "in_legacy"
        object.removeValue(forKey: "parent")
        object["subscription"] = "sub_legacy"
        object["metadata"] = ["deal_id": "deal_old"]
        let legacy = world.stripe.keep(type: "invoice.payment_succeeded", object: object)
        #expect(try world.outcome(legacy) == "processed")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'invoice_paid' AND payload->>'deal_id' = 'deal_old' AND payload->>'subscription_id' = 'sub_legacy'"
            ) == 1)
    }

    @Test func anotherCabinetIsIgnoredWithTheReason() throws {
        let world = try World(["STRIPE_EXPECTED_LIVEMODE": "false", "STRIPE_EXPECTED_ACCOUNT": "acct_ours"])
        let live = world.stripe.makeEvent(
            "payment_intent.succeeded", dealID: "d1", livemode: true, account: "acct_ours")
        let (answer, log) = try world.deliver(live)
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "cabinet_ignored")
        #expect(log.contains { $0.contains(#""message":"Events cabinet ignored""#) && $0.contains("live mode") })
        let foreign = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d2", account: "acct_theirs")
        #expect(try world.outcome(foreign) == "cabinet_ignored")
        #expect(
            try world.count(
                "SELECT count(*) FROM webhook_events WHERE outcome = 'cabinet_ignored' AND error LIKE '%acct_theirs%'")
                == 1)
        #expect(try world.count("SELECT count(*) FROM events") == 0)
        #expect(
            try world.outcome(world.stripe.makeEvent("payment_intent.succeeded", dealID: "d3", account: "acct_ours"))
                == "processed")
    }

    @Test func missingDealIDIsRecordedAndLogged() throws {
        let world = try World()
        let (answer, log) = try world.deliver(
            world.stripe.makeEvent("payment_intent.succeeded", dealID: nil, paymentIntent: "pi_nodeal"))
        #expect(answer.json["outcome"] as? String == "deal_id_missing")
        #expect(log.contains { $0.contains(#""message":"deal_id missing from metadata""#) })
        #expect(try world.status(paymentIntent: "pi_nodeal") == "succeeded", "the payment is still recorded")
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE outcome = 'deal_id_missing'") == 1)
    }

    @Test func badSignatureIs400LoggedWithAHintAndRecorded() throws {
        let world = try World()
        let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d", paymentIntent: "pi_forged")
        let (answer, log) = try world.deliver(event, secret: "whsec_attacker_guess")
        #expect(answer.statusCode == 400)
        #expect(answer.errorCode == "signature_verification_failed")
        let line = try #require(
            log.first { $0.contains(#""message":"signature verification failed""#) && $0.contains("hint") })
        #expect(
            line.contains("STRIPE_WEBHOOK_SECRET") && line.contains(#""keys_tried":"1""#) && line.contains("raw body"))
        #expect(
            log.filter { $0.contains(#""message":"signature verification failed""#) }.count == 1, "one line per failure"
        )
        #expect(!log.joined().contains(world.stripe.webhookSecret))
        #expect(!log.joined().contains("v1="))
        #expect(try world.status(paymentIntent: "pi_forged") == nil)
        #expect(
            try world.count("SELECT count(*) FROM webhook_events") == 0, "an unverified delivery takes no event key")
        #expect(
            try world.value(
                "SELECT count FROM webhook_rejections WHERE provider = 'stripe' AND reason = 'signature_failed'") == "1"
        )
        #expect(try world.outcome(event) == "processed", "a correctly signed retry of the same event is then processed")
        let (old, _) = try world.deliver(event, age: 400)
        #expect(old.statusCode == 400)
    }

    @Test func aSignedBodyThatIsNotAnEventIs400AndLogsWhatItClaims() throws {
        let world = try World()
        let (answer, log) = try world.deliver(["id": "evt_partial", "type": "payment_intent.succeeded"])
        #expect(answer.statusCode == 400)
        #expect(answer.errorCode == "invalid_event")
        let line = try #require(log.first { $0.contains(#""step_result":"invalid_event""#) })
        #expect(line.contains(#""event_id":"evt_partial""#))
        #expect(line.contains(#""event_type":"payment_intent.succeeded""#))
        #expect(try world.count("SELECT count(*) FROM webhook_events") == 0)
    }

    @Test func otherEventTypesAreAcknowledged() throws {
        let world = try World()
        #expect(try world.outcome(world.stripe.makeEvent("customer.created", dealID: nil)) == "ignored")
        #expect(try world.count("SELECT count(*) FROM webhook_events WHERE outcome = 'ignored'") == 1)
    }

    @Test func secretMustBeConfigured() throws {
        let world = try World()
        let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d")
        for secret in ["", "not-a-whsec"] {
            let (answer, _) = try world.deliver(event, environment: ["STRIPE_WEBHOOK_SECRET": secret])
            #expect(answer.statusCode == 500)
            #expect(answer.errorCode == "configuration_error")
        }
    }

    @Test func databaseDownAsksStripeToRetry() throws {
        let world = try World()
        let (answer, _) = try world.deliver(
            world.stripe.makeEvent("payment_intent.succeeded", dealID: "d"),
            environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        #expect(answer.statusCode == 503)
    }

    @Test func cardDetailsAreNeitherStoredNorLogged() throws {
        let world = try World()
        let (_, log) = try world.deliver(
            world.stripe.makeEvent("payment_intent.payment_failed", dealID: "d", paymentIntent: "pi_card"),
            environment: ["LOG_LEVEL": "trace"])
        let connection = try PGConnection(url: world.databaseURL)
        var stored = ""
        for table in ["payments", "webhook_events", "events"] {
            for row in try connection.query("SELECT t::text AS row FROM \(table) t").rows {
                stored += try row.string("row") ?? ""
            }
        }
        for fragment in ["0002", "exp_month", "Your card has insufficient funds", "buyer@example.com"] {
            #expect(!stored.contains(fragment), "stored \(fragment)")
            #expect(!log.joined().contains(fragment), "logged \(fragment)")
        }
    }
}
