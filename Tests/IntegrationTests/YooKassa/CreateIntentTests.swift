import Core
import Foundation
import StandIns
import Testing

@Suite struct CreateIntentTests {
    static let booking = #"{"appointment_id":"apt-1001","service_slug":"haircut","kind":"deposit"}"#

    @Test func bookingDepositIsPricedFromTheCatalog() throws {
        let world = try World()
        let answer = try world.createIntent(
            #"{"appointment_id":"apt-1001","service_slug":"haircut","kind":"deposit","amount":{"value":"1.00","currency":"RUB"}}"#
        )
        #expect(answer.statusCode == 201)
        let amount = try #require(answer.json["amount"] as? [String: String])
        #expect(amount == ["value": "500.00", "currency": "RUB"], "the client's amount is ignored")
        #expect(answer.json["status"] as? String == "pending")
        let confirmation = try #require(answer.json["confirmation"] as? [String: String])
        #expect(confirmation["type"] == "redirect")
        #expect(confirmation["confirmation_url"]?.hasPrefix("https://yoomoney.ru/") == true)
        #expect(
            try world.count(
                "SELECT count(*) FROM payments WHERE amount_minor = 50000 AND provider_payment_id IS NOT NULL") == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_started' AND payload->>'service_slug' = 'haircut'")
                == 1)
        #expect(world.yookassa.paymentsCreated == 1)
    }

    @Test(arguments: [("basic", 29_900), ("premium", 59_900), ("family", 89_900)])
    func subscriptionPlans(_ plan: String, _ minor: Int) throws {
        let world = try World()
        let answer = try world.createIntent(#"{"plan_id":"\#(plan)","user_id":"user-7"}"#)
        #expect(answer.statusCode == 201)
        #expect(
            try world.count(
                "SELECT count(*) FROM payments WHERE purpose = 'subscription' AND amount_minor = $1", [minor]) == 1)
        #expect(
            try world.count(
                "SELECT count(*) FROM events WHERE type = 'payment_started' AND payload->>'plan_id' = $1", [plan]) == 1)
    }

    @Test func sameKeyTwiceMakesOnePayment() throws {
        let world = try World()
        let first = try world.createIntent(Self.booking, key: "k1")
        let second = try world.createIntent(Self.booking, key: "k1")
        #expect(first.statusCode == 201)
        #expect(second.body == first.body)
        #expect(second.headers["Idempotent-Replayed"] == "true")
        #expect(try world.count("SELECT count(*) FROM payments") == 1)
        #expect(world.yookassa.paymentsCreated == 1)
    }

    @Test(arguments: [true, false])
    func twentyConcurrentRequestsMakeOnePayment(withKey: Bool) throws {
        let world = try World()
        let answers = concurrently(20) { _ in try world.createIntent(Self.booking, key: withKey ? "same-key" : nil) }
        let statuses = try answers.map { try $0.get().statusCode }
        #expect(statuses.allSatisfy { [200, 201, 409].contains($0) }, "\(statuses)")
        #expect(try world.count("SELECT count(*) FROM payments") == 1)
        #expect(world.yookassa.paymentsCreated == 1)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'payment_started'") == 1)
    }

    @Test func openPaymentForTheSameBookingIsReturned() throws {
        let world = try World()
        let first = try world.createIntent(Self.booking)
        let second = try world.createIntent(Self.booking)
        #expect(first.statusCode == 201)
        #expect(second.statusCode == 200)
        #expect(second.json["payment_id"] as? String == first.json["payment_id"] as? String)
        let full = try world.createIntent(#"{"appointment_id":"apt-1001","service_slug":"haircut","kind":"full"}"#)
        #expect(full.statusCode == 201, "another kind is another payment")
        let other = try world.createIntent(
            #"{"appointment_id":"apt-1001","service_slug":"massage-60","kind":"deposit"}"#)
        #expect(other.statusCode == 201, "another service is another payment")
        #expect(other.json["payment_id"] as? String != first.json["payment_id"] as? String)
    }

    @Test(arguments: [
        [YooKassaStandIn.Fault(.status, status: 500)],
        [YooKassaStandIn.Fault(.status, status: 503), YooKassaStandIn.Fault(.status, status: 502)],
        [YooKassaStandIn.Fault(.processing, milliseconds: 50)],
        [YooKassaStandIn.Fault(.requestAccepted, milliseconds: 50)],
        [YooKassaStandIn.Fault(.status, status: 429)],
        [YooKassaStandIn.Fault(.drop)],
    ])
    func transientProviderFailuresAreRetriedWithTheSameKey(_ faults: [YooKassaStandIn.Fault]) throws {
        let world = try World()
        world.yookassa.inject(faults)
        let answer = try world.createIntent(Self.booking)
        #expect(answer.statusCode == 201)
        #expect(world.yookassa.paymentsCreated == 1)
        #expect(try world.count("SELECT count(*) FROM payments WHERE provider_payment_id IS NOT NULL") == 1)
    }

    @Test func timeoutBeyondTheBudgetIs504AndALaterRetryCompletesTheSamePayment() throws {
        let world = try World(["YOOKASSA_TIMEOUT_MS": "400"])
        world.yookassa.inject([YooKassaStandIn.Fault(.delay, milliseconds: 1_500)])
        let first = try world.createIntent(Self.booking, key: "slow")
        #expect(first.statusCode == 504)
        #expect(first.errorCode == "provider_timeout")
        let local = try world.value("SELECT id FROM payments WHERE provider_payment_id IS NULL AND status = 'pending'")
        #expect(local != nil, "the local payment is kept for the retry")

        let retry = try world.createIntent(Self.booking, key: "slow")
        #expect(retry.statusCode == 201)
        #expect(retry.json["payment_id"] as? String == local)
        #expect(world.yookassa.paymentsCreated == 1, "the retry reused the provider payment through Idempotence-Key")
        #expect(try world.count("SELECT count(*) FROM payments") == 1)
    }

    @Test func providerDownUntilTheBudgetEndsIs503ThenResumes() throws {
        let world = try World(["YOOKASSA_TIMEOUT_MS": "300"])
        world.yookassa.inject(Array(repeating: YooKassaStandIn.Fault(.status, status: 500), count: 50))
        let first = try world.createIntent(Self.booking)
        #expect(first.statusCode == 503)
        #expect(first.errorCode == "provider_unavailable")
        #expect(world.yookassa.paymentsCreated == 0)
        world.yookassa.clearFaults()
        let retry = try world.createIntent(Self.booking)
        #expect(retry.statusCode == 201, "the open local payment is resumed, not duplicated")
        #expect(retry.json["confirmation"] != nil)
        #expect(world.yookassa.paymentsCreated == 1)
    }

    @Test func providerRejectionIs502WithItsCode() throws {
        let world = try World()
        world.yookassa.inject([YooKassaStandIn.Fault(.status, status: 400)])
        let answer = try world.createIntent(Self.booking)
        #expect(answer.statusCode == 502)
        #expect(answer.errorCode == "provider_rejected")
        #expect(answer.errorMessage?.contains("invalid_request") == true)
        #expect(
            try world.count(
                "SELECT count(*) FROM payments WHERE status = 'canceled' AND failure_category = 'provider_rejected'")
                == 1)
        #expect(try world.createIntent(Self.booking).statusCode == 201, "a new attempt after a rejection starts afresh")
    }

    @Test func longIdsStayWithinYooKassaLimits() throws {
        let world = try World()
        let appointment = String(repeating: "a", count: BoundedText.idLimit)
        let answer = try world.createIntent(
            #"{"appointment_id":"\#(appointment)","service_slug":"massage-60","kind":"full"}"#)
        #expect(answer.statusCode == 201, "the stand-in refuses descriptions over 128 and metadata values over 512")
        #expect(try world.count("SELECT count(*) FROM payments WHERE char_length(description) <= 128") == 1)
    }

    @Test(arguments: [
        (#"{"appointment_id":"a","service_slug":"nails","kind":"deposit"}"#, 422, "unknown_service"),
        (#"{"plan_id":"gold","user_id":"u"}"#, 422, "unknown_plan"),
        (#"{"appointment_id":"a","service_slug":"haircut","kind":"half"}"#, 400, "invalid_kind"),
        (#"{"appointment_id":"a","service_slug":"haircut"}"#, 400, "missing_field"),
        (#"{"plan_id":"basic"}"#, 400, "missing_field"),
        (#"{}"#, 400, "missing_field"),
        (
            #"{"appointment_id":"a","service_slug":"haircut","kind":"deposit","plan_id":"basic"}"#, 400,
            "ambiguous_request"
        ),
        (#"{"appointment_id":"a b","service_slug":"haircut","kind":"deposit"}"#, 400, "invalid_field"),
        (#"{"appointment_id":17,"service_slug":"haircut","kind":"deposit"}"#, 400, "invalid_json"),
        ("not json", 400, "invalid_json"),
        ("", 400, "invalid_json"),
        (
            #"{"appointment_id":"a","service_slug":"haircut","kind":"deposit","return_url":"https://evil.example/x"}"#,
            422, "return_url_not_allowed"
        ),
    ])
    func badRequestsGetClearErrors(_ body: String, _ status: Int, _ code: String) throws {
        let world = try World()
        let answer = try world.createIntent(body)
        #expect(answer.statusCode == status)
        #expect(answer.errorCode == code)
        #expect(try world.count("SELECT count(*) FROM payments") == 0)
        #expect(world.yookassa.paymentsCreated == 0)
    }

    @Test func returnURLOnTheShopsSiteIsUsed() throws {
        let world = try World()
        let answer = try world.createIntent(
            #"{"appointment_id":"a1","service_slug":"haircut","kind":"deposit","return_url":"https://shop.example/booking/a1/done"}"#
        )
        #expect(answer.statusCode == 201)
        #expect(try world.value("SELECT return_url FROM payments") == "https://shop.example/booking/a1/done")
    }

    @Test func missingSecretIsAConfigurationError() throws {
        let world = try World()
        let answer = try world.createIntent(Self.booking, environment: ["YOOKASSA_SECRET_KEY": ""])
        #expect(answer.statusCode == 500)
        #expect(answer.errorCode == "configuration_error")
        #expect(answer.errorMessage?.contains("YOOKASSA_SECRET_KEY") == true)
    }

    @Test func databaseDownIs503AndNothingReachesTheProvider() throws {
        let world = try World()
        let answer = try world.createIntent(Self.booking, environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        #expect(answer.statusCode == 503)
        #expect(answer.errorCode == "database_unavailable")
        #expect(world.yookassa.paymentsCreated == 0)
    }
}
