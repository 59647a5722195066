import Core
import Foundation
import StandIns
import Testing

@Suite struct StarsInvoiceTests {
    @Test func createThenReuseThenConflict() throws {
        let world = try World()
        let (created, createdLog) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        #expect(created.statusCode == 201)
        let purchaseID = try #require(created.json["purchase_id"] as? String)
        #expect(created.json["status"] as? String == "pending")
        #expect((created.json["pay_url"] as? String)?.hasPrefix("mock://") == true)
        #expect((created.json["amount"] as? [String: String]) == ["value": "50", "currency": "XTR"])
        #expect(createdLog.contains { $0.contains(#""message":"purchase_invoice_created""#) })

        let (again, againLog) = try world.invoice(#"{"user_id":"5001","item_id":"hint-pack"}"#)
        #expect(again.statusCode == 200)
        #expect(again.json["purchase_id"] as? String == purchaseID)
        #expect(againLog.contains { $0.contains(#""message":"purchase_invoice_reused""#) })
        let (byID, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack","purchase_id":"\#(purchaseID)"}"#)
        #expect(byID.json["purchase_id"] as? String == purchaseID)

        let (other, otherLog) = try world.invoice(
            #"{"user_id":6002,"item_id":"hint-pack","purchase_id":"\#(purchaseID)"}"#)
        #expect(other.statusCode == 409)
        #expect(other.errorCode == "purchase_conflict")
        #expect(otherLog.contains { $0.contains(#""message":"purchase_invoice_user_mismatch""#) })

        #expect(try world.count("SELECT count(*) FROM purchases") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_invoice_created'") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_invoice_reused'") == 2)
    }

    @Test func clientChosenPurchaseID() throws {
        let world = try World()
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"premium-week","purchase_id":"order-777"}"#)
        #expect(answer.statusCode == 201)
        #expect(answer.json["purchase_id"] as? String == "order-777")
        #expect(try world.count("SELECT count(*) FROM purchases WHERE id = 'order-777' AND amount_minor = 250") == 1)
    }

    @Test func liveModeAsksTelegramWithinItsLimits() throws {
        let world = try World()
        world.telegram.failNext(429, retryAfter: 1)
        let live = ["MOCK_PAYMENTS": "false", "TELEGRAM_STARS_ENABLED": "true"]
        let (answer, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#, environment: live)
        #expect(answer.statusCode == 201, "\(answer.body)")
        #expect((answer.json["pay_url"] as? String)?.hasPrefix("https://t.me/$") == true)
        #expect(world.telegram.linksCreated == 1, "the 429 was retried after retry_after")

        world.telegram.failNext(400)
        let (refused, _) = try world.invoice(#"{"user_id":5002,"item_id":"hint-pack"}"#, environment: live)
        #expect(refused.statusCode == 502)
        #expect(refused.errorCode == "provider_rejected")
        #expect(
            try world.count(
                "SELECT count(*) FROM purchases WHERE user_id = '5002' AND status = 'pending' AND pay_url IS NULL")
                == 1,
            "the purchase waits for a retry")
        let (retried, _) = try world.invoice(#"{"user_id":5002,"item_id":"hint-pack"}"#, environment: live)
        #expect(retried.statusCode == 200)
        #expect(retried.json["pay_url"] as? String != nil)
    }

    @Test func disabledAndMisconfigured() throws {
        let world = try World()
        let (disabled, _) = try world.invoice(
            #"{"user_id":5001,"item_id":"hint-pack"}"#, environment: ["MOCK_PAYMENTS": "false"])
        #expect(disabled.statusCode == 503)
        #expect(disabled.errorCode == "payments_disabled")
        let (both, _) = try world.invoice(
            #"{"user_id":5001,"item_id":"hint-pack"}"#, environment: ["TELEGRAM_STARS_ENABLED": "true"])
        #expect(both.statusCode == 500)
        #expect(both.errorCode == "configuration_error")
        #expect(try world.count("SELECT count(*) FROM purchases") == 0)
    }

    @Test(arguments: [
        (#"{"item_id":"hint-pack"}"#, 400, "missing_field"),
        (#"{"user_id":5001}"#, 400, "missing_field"),
        (#"{"user_id":5001,"item_id":"gold"}"#, 422, "unknown_item"),
        (#"{"user_id":5001,"item_id":"hint-pack","purchase_id":"has space"}"#, 400, "invalid_field"),
        (#"{"user_id":true,"item_id":"hint-pack"}"#, 400, "invalid_json"),
        ("[]", 400, "invalid_json"),
    ])
    func badRequests(_ body: String, _ status: Int, _ code: String) throws {
        let world = try World()
        let (answer, _) = try world.invoice(body)
        #expect(answer.statusCode == status)
        #expect(answer.errorCode == code)
    }
}

@Suite struct StarsPurchaseTests {
    @Test func completeThenIdempotentThenConflict() throws {
        let world = try World()
        let (invoice, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchaseID = try #require(invoice.json["purchase_id"] as? String)
        let (done, doneLog) = try world.purchase(#"{"user_id":5001,"purchase_id":"\#(purchaseID)"}"#)
        #expect(done.statusCode == 200)
        #expect(done.json["status"] as? String == "succeeded")
        #expect(doneLog.contains { $0.contains(#""message":"purchase_succeeded""#) })
        let (again, againLog) = try world.purchase(#"{"user_id":5001,"purchase_id":"\#(purchaseID)"}"#)
        #expect(again.body == done.body)
        #expect(againLog.contains { $0.contains(#""message":"purchase_succeeded_idempotent""#) })
        let (other, otherLog) = try world.purchase(#"{"user_id":6002,"purchase_id":"\#(purchaseID)"}"#)
        #expect(other.statusCode == 409)
        #expect(otherLog.contains { $0.contains(#""message":"purchase_user_mismatch""#) })
        let event = try #require(
            try PGConnection(url: world.databaseURL).query(
                "SELECT payload::text AS payload FROM events WHERE type = 'purchase_succeeded'"
            ).rows.first?.string("payload"))
        #expect(event.contains(#""previous_status": "pending""#))
        #expect(event.contains(#""ms_from_invoice": "#))
        #expect(event.contains(#""source": "mock""#))
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
    }

    @Test func directPurchaseWithoutInvoice() throws {
        let world = try World()
        let (answer, _) = try world.purchase(#"{"user_id":5001,"purchase_id":"direct-1","item_id":"premium-week"}"#)
        #expect(answer.statusCode == 200)
        #expect(answer.json["status"] as? String == "succeeded")
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'purchase_succeeded' AND payload->>'previous_status' IS NULL")
                == 1)
        let (missing, _) = try world.purchase(#"{"user_id":5001,"purchase_id":"direct-2"}"#)
        #expect(missing.statusCode == 400)
        #expect(missing.errorCode == "missing_field")
    }

    @Test func twentyConcurrentCompletionsSucceedOnce() throws {
        let world = try World()
        let (invoice, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchaseID = try #require(invoice.json["purchase_id"] as? String)
        let answers = try concurrently(20) { _ in
            try world.purchase(#"{"user_id":5001,"purchase_id":"\#(purchaseID)"}"#).0.statusCode
        }
        .map { try $0.get() }
        #expect(answers.allSatisfy { $0 == 200 })
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
    }

    @Test func onlyInMockMode() throws {
        let world = try World()
        let (answer, _) = try world.purchase(
            #"{"user_id":5001,"purchase_id":"p","item_id":"hint-pack"}"#,
            environment: ["MOCK_PAYMENTS": "false", "TELEGRAM_STARS_ENABLED": "true"])
        #expect(answer.statusCode == 403)
        #expect(answer.errorCode == "mock_payments_disabled")
    }

    @Test func markFailedThroughPayctl() throws {
        let world = try World()
        let (invoice, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#)
        let purchaseID = try #require(invoice.json["purchase_id"] as? String)
        let result = try Processes.run(
            ["purchases", "mark-failed", purchaseID, "--json"], environment: world.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.json as? [String: String])?["previous_status"] == "pending")
        #expect(try world.count("SELECT count(*) FROM purchases WHERE status = 'failed'") == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'purchase_failed' AND payload->>'previous_status' = 'pending'"
            ) == 1)
        let (complete, _) = try world.purchase(#"{"user_id":5001,"purchase_id":"\#(purchaseID)"}"#)
        #expect(complete.statusCode == 409)
        let again = try Processes.run(["purchases", "mark-failed", purchaseID], environment: world.environment)
        #expect(again.stdout.contains("already failed"))
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_failed'") == 1)
        let missing = try Processes.run(["purchases", "mark-failed", "nope"], environment: world.environment)
        #expect(missing.status == 1)
    }
}

@Suite struct StarsWebhookTests {
    func invoiced(_ world: World, user: Int64 = 5001, item: String = "hint-pack") throws -> String {
        try #require(try world.invoice(#"{"user_id":\#(user),"item_id":"\#(item)"}"#).0.json["purchase_id"] as? String)
    }

    @Test(arguments: ["", "wrong-secret", "standin-webhook-secreT"])
    func badOrMissingSecretTokenIs403(_ token: String) throws {
        let world = try World()
        let purchaseID = try invoiced(world)
        let answer = try world.update(
            world.telegram.successfulPaymentUpdate(purchaseID: purchaseID, userID: 5001, amount: 50), token: token)
        #expect(answer.statusCode == 403)
        #expect(answer.errorCode == "invalid_secret_token")
        #expect(try world.count("SELECT count(*) FROM purchases WHERE status = 'succeeded'") == 0)
    }

    @Test func preCheckoutThenPayment() throws {
        let world = try World()
        let purchaseID = try invoiced(world)
        let answer = try world.update(
            world.telegram.preCheckoutUpdate(purchaseID: purchaseID, userID: 5001, amount: 50))
        #expect(answer.statusCode == 200)
        #expect(answer.json["method"] as? String == "answerPreCheckoutQuery")
        #expect(answer.json["ok"] as? Bool == true)
        #expect(answer.json["pre_checkout_query_id"] as? String != nil)
        let paid = try world.update(
            world.telegram.successfulPaymentUpdate(
                purchaseID: purchaseID, userID: 5001, amount: 50, chargeID: "charge-1"))
        #expect(paid.json["outcome"] as? String == "processed")
        #expect(
            try world.count(
                "SELECT count(*) FROM purchases WHERE status = 'succeeded' AND telegram_payment_charge_id = 'charge-1'")
                == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'purchase_succeeded' AND payload->'metadata'->>'source' = 'telegram'"
            ) == 1)
    }

    @Test func preCheckoutRefusals() throws {
        let world = try World()
        let pending = try invoiced(world)
        let paid = try invoiced(world, item: "premium-week")
        _ = try world.purchase(#"{"user_id":5001,"purchase_id":"\#(paid)"}"#)
        let failed = try invoiced(world, user: 7003)
        _ = try Processes.run(["purchases", "mark-failed", failed], environment: world.environment)
        let cases: [([UInt8], String)] = [
            (world.telegram.preCheckoutUpdate(purchaseID: pending, userID: 5001, amount: 49), "price"),
            (world.telegram.preCheckoutUpdate(purchaseID: pending, userID: 5001, amount: 50, currency: "USD"), "price"),
            (world.telegram.preCheckoutUpdate(purchaseID: pending, userID: 9999, amount: 50), "another account"),
            (world.telegram.preCheckoutUpdate(purchaseID: paid, userID: 5001, amount: 250), "already been paid"),
            (world.telegram.preCheckoutUpdate(purchaseID: failed, userID: 7003, amount: 50), "no longer available"),
            (
                world.telegram.preCheckoutUpdate(purchaseID: "never-made", userID: 5001, amount: 50),
                "no longer available"
            ),
        ]
        for (update, reason) in cases {
            let answer = try world.update(update)
            #expect(answer.json["ok"] as? Bool == false, "\(reason)")
            #expect((answer.json["error_message"] as? String)?.contains(reason) == true, "\(reason): \(answer.body)")
        }
    }

    @Test func duplicateUpdateHasOneEffect() throws {
        let world = try World()
        let purchaseID = try invoiced(world)
        let update = world.telegram.successfulPaymentUpdate(purchaseID: purchaseID, userID: 5001, amount: 50)
        #expect(try world.update(update).json["outcome"] as? String == "processed")
        #expect(try world.update(update).json["outcome"] as? String == "duplicate")
        #expect(try world.count("SELECT count(*) FROM purchase_charges") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
    }

    @Test func theSameInvoicePaidTwiceKeepsBothCharges() throws {
        let world = try World()
        let purchaseID = try invoiced(world)
        let first = try world.update(
            world.telegram.successfulPaymentUpdate(
                purchaseID: purchaseID, userID: 5001, amount: 50, chargeID: "charge-a"))
        let second = try world.update(
            world.telegram.successfulPaymentUpdate(
                purchaseID: purchaseID, userID: 5001, amount: 50, chargeID: "charge-b"))
        #expect(first.json["outcome"] as? String == "processed")
        #expect(second.json["outcome"] as? String == "refund_due")
        #expect(try world.count("SELECT count(*) FROM purchase_charges") == 2)
        #expect(
            try world.count(
                "SELECT count(*) FROM purchase_charges WHERE refund_due AND telegram_payment_charge_id = 'charge-b'")
                == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM purchases WHERE status = 'succeeded' AND telegram_payment_charge_id = 'charge-a'")
                == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_succeeded'") == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'purchase_refund_due'") == 1)
    }

    @Test func paymentForAnUnknownPurchaseIsKeptForRefund() throws {
        let world = try World()
        let answer = try world.update(
            world.telegram.successfulPaymentUpdate(purchaseID: "ghost", userID: 5001, amount: 50, chargeID: "charge-g"))
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "unknown_purchase")
        #expect(
            try world.count("SELECT count(*) FROM purchase_charges WHERE refund_due AND purchase_id = 'ghost'") == 1)
    }

    @Test func otherUpdatesAreAcknowledged() throws {
        let world = try World()
        let answer = try world.update(
            Array(#"{"update_id":42,"message":{"message_id":1,"text":"/start","from":{"id":5001}}}"#.utf8))
        #expect(answer.statusCode == 200)
        #expect(answer.json["outcome"] as? String == "ignored")
        let broken = try world.update(Array("{".utf8))
        #expect(broken.statusCode == 400)
    }
}
