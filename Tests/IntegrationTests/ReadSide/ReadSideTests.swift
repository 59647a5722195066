import Core
import Foundation
import Testing

/// The read side through every in-process envelope: who may read what, what a payment looks like
/// before and after it is paid, pages of history, purchases, plans and health.
@Suite struct ReadSideTests {
    static func isTime(_ text: String?) -> Bool {
        text?.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/#) != nil
    }
    static func isInvoiceNumber(_ text: String?) -> Bool { text?.wholeMatch(of: #/INV-\d{4}-\d{6,}/#) != nil }

    @Test(arguments: Gateway.allCases)
    func anOwnedPaymentIsReadByItsOwnerAndNobodyElse(_ gateway: Gateway) throws {
        let world = try World()
        let (local, provider) = try world.createBooking("apt-read-1", caller: "alice")
        let path = "/api/v1/payments/\(local)"

        let pending = try world.read("get-payment", path, caller: "alice", via: gateway)
        #expect(pending.status == 200, "\(pending.body)")
        #expect(pending.headers["cache-control"] == "no-store")
        let view = pending.json
        #expect(view["payment_id"] as? String == local)
        #expect(view["status"] as? String == "pending")
        #expect(view["purpose"] as? String == "booking")
        #expect(view["appointment_id"] as? String == "apt-read-1")
        #expect(view["service_slug"] as? String == "haircut")
        #expect(view["kind"] as? String == "deposit")
        #expect((view["amount"] as? [String: String])?["currency"] == "RUB")
        #expect((view["confirmation_url"] as? String)?.hasPrefix("https://") == true)
        #expect(Self.isTime(view["created_at"] as? String))
        #expect(view["paid_at"] == nil && view["invoice_number"] == nil && view["plan_id"] == nil)

        for stranger in ["bob", nil] {
            let refused = try world.read("get-payment", path, caller: stranger, via: gateway)
            #expect(refused.status == 404, "\(stranger ?? "anonymous"): \(refused.body)")
            #expect(refused.errorCode == "payment_not_found")
        }

        #expect(try world.notify(try #require(world.yookassa.settle(provider, "succeed"))).statusCode == 200)
        let paid = try world.read("get-payment", path, caller: "alice", via: gateway).json
        #expect(paid["status"] as? String == "succeeded")
        #expect(paid["confirmation_url"] == nil, "a paid payment has nothing to confirm")
        #expect(Self.isTime(paid["paid_at"] as? String))
        let number = try #require(paid["invoice_number"] as? String)
        #expect(Self.isInvoiceNumber(number))
        #expect(number.hasPrefix("INV-\(Calendar(identifier: .gregorian).component(.year, from: Date()))-"))
    }

    @Test(arguments: Gateway.allCases)
    func anAnonymousPaymentIsReadableByItsIDAlone(_ gateway: Gateway) throws {
        let world = try World()
        let (local, _) = try world.createBooking()
        for caller in [nil, "alice"] {
            let answer = try world.read("get-payment", "/api/v1/payments/\(local)", caller: caller, via: gateway)
            #expect(answer.status == 200, "\(answer.body)")
        }
        for id in ["not-a-uuid", UUID().uuidString.lowercased(), "", "..%2F..%2Fetc"] {
            let answer = try world.read("get-payment", "/api/v1/payments/\(id)", via: gateway)
            #expect(answer.status == 404, "\(id): \(answer.body)")
            #expect(answer.errorCode == "payment_not_found")
        }
    }

    @Test(arguments: Gateway.allCases)
    func historyPagesThroughTheCallersOwnPaymentsNewestFirst(_ gateway: Gateway) throws {
        let world = try World()
        var alices: [String] = []
        for index in 0..<25 { alices.append(try world.createBooking("apt-h-\(index)", caller: "alice").0) }
        _ = try world.createBooking("apt-h-bob", caller: "bob")
        _ = try world.createBooking("apt-h-anonymous")
        let newestFirst = Array(alices.reversed())

        func page(_ query: String) throws -> [String: Any] {
            let answer = try world.read(
                "payment-history", "/api/v1/payments/history", query: query, caller: "alice", via: gateway)
            #expect(answer.status == 200, "\(query): \(answer.body)")
            return answer.json
        }
        func ids(_ page: [String: Any]) -> [String] {
            (page["items"] as? [[String: Any]] ?? []).compactMap { $0["payment_id"] as? String }
        }
        let first = try page("page=1&page_size=10")
        #expect(ids(first) == Array(newestFirst[0..<10]))
        #expect(first["total"] as? Int == 25 && first["page"] as? Int == 1 && first["page_size"] as? Int == 10)
        #expect(ids(try page("page=2&page_size=10")) == Array(newestFirst[10..<20]))
        #expect(ids(try page("page=3&page_size=10")) == Array(newestFirst[20..<25]))
        let past = try page("page=4&page_size=10")
        #expect(ids(past).isEmpty && past["total"] as? Int == 25)
        let defaults = try page("")
        #expect(ids(defaults) == Array(newestFirst[0..<20]) && defaults["page_size"] as? Int == 20)
        #expect(ids(try page("page_size=100")) == newestFirst)
        #expect(ids(try page("page_size=1&page=25")) == [newestFirst[24]])

        let bob = try world.read(
            "payment-history", "/api/v1/payments/history", caller: "bob", via: gateway
        ).json
        #expect(bob["total"] as? Int == 1)

        for query in [
            "page=0", "page=-1", "page=abc", "page_size=0", "page_size=101", "page=10001", "page=1.5",
            "page_size=99999999999999999999",
        ] {
            let answer = try world.read(
                "payment-history", "/api/v1/payments/history", query: query, caller: "alice", via: gateway)
            #expect(answer.status == 400, "\(query): \(answer.body)")
            #expect(answer.errorCode == "invalid_query")
        }
        let anonymous = try world.read("payment-history", "/api/v1/payments/history", via: gateway)
        #expect(anonymous.status == 401)
        #expect(anonymous.errorCode == "unauthenticated")
        #expect(anonymous.headers["www-authenticate"] == "Bearer")
    }

    @Test(arguments: Gateway.allCases)
    func aPurchaseIsReadByItsOwnerAndNobodyElse(_ gateway: Gateway) throws {
        let world = try World()
        let (created, _) = try world.invoice(
            #"{"user_id":5001,"item_id":"hint-pack","purchase_id":"read-1"}"#, caller: "5001")
        #expect(created.statusCode == 201, "\(created.body)")
        let pending = try world.read("get-purchase", "/api/v1/purchase/read-1", caller: "5001", via: gateway)
        #expect(pending.status == 200, "\(pending.body)")
        #expect(pending.json["status"] as? String == "pending")
        #expect(pending.json["item_id"] as? String == "hint-pack")
        #expect((pending.json["amount"] as? [String: String])?["currency"] == "XTR")
        #expect(Self.isTime(pending.json["created_at"] as? String))
        #expect(pending.json["succeeded_at"] == nil)
        for stranger in ["5002", nil] {
            let refused = try world.read("get-purchase", "/api/v1/purchase/read-1", caller: stranger, via: gateway)
            #expect(refused.status == 404 && refused.errorCode == "purchase_not_found", "\(refused.body)")
        }
        #expect(try world.purchase(#"{"user_id":5001,"purchase_id":"read-1"}"#, caller: "5001").0.statusCode == 200)
        let paid = try world.read("get-purchase", "/api/v1/purchase/read-1", caller: "5001", via: gateway).json
        #expect(paid["status"] as? String == "succeeded")
        #expect(Self.isTime(paid["succeeded_at"] as? String))

        _ = try world.invoice(#"{"user_id":5003,"item_id":"hint-pack","purchase_id":"read-open"}"#)
        #expect(try world.read("get-purchase", "/api/v1/purchase/read-open", via: gateway).status == 200)
        for id in ["nope", "bad%20id", String(repeating: "x", count: 65)] {
            #expect(try world.read("get-purchase", "/api/v1/purchase/\(id)", via: gateway).status == 404)
        }
    }

    @Test func aBodyNamingAnotherUserThanTheCallerIs403() throws {
        let world = try World()
        let subscription = try world.createIntent(#"{"plan_id":"basic","user_id":"bob"}"#, caller: "alice")
        #expect(subscription.statusCode == 403 && subscription.errorCode == "identity_mismatch")
        let own = try world.createIntent(#"{"plan_id":"basic","user_id":"alice"}"#, caller: "alice")
        #expect(own.statusCode == 201)
        #expect(try world.value("SELECT owner_id FROM payments WHERE user_id = 'alice'") == "alice")
        let invoice = try world.invoice(#"{"user_id":5002,"item_id":"hint-pack"}"#, caller: "5001").0
        #expect(invoice.statusCode == 403 && invoice.errorCode == "identity_mismatch")
        let purchase = try world.purchase(
            #"{"user_id":5002,"purchase_id":"p-x","item_id":"hint-pack"}"#, caller: "5001")
        #expect(purchase.0.statusCode == 403 && purchase.0.errorCode == "identity_mismatch")
        #expect(try world.count("SELECT count(*) FROM purchases") == 0)
        #expect(try world.count("SELECT count(*) FROM payments") == 1)
    }

    @Test func anotherCallersOpenPaymentOrPurchaseIsNeverHandedOut() throws {
        let world = try World()
        let body = #"{"appointment_id":"apt-shared","service_slug":"haircut","kind":"deposit"}"#
        let alice = try world.createIntent(body, caller: "alice")
        #expect(alice.statusCode == 201)
        for other in ["bob", nil] {
            let answer = try world.createIntent(body, caller: other)
            #expect(answer.statusCode == 201, "each caller gets a payment of their own: \(answer.body)")
            #expect(answer.json["payment_id"] as? String != alice.json["payment_id"] as? String)
        }
        _ = try world.invoice(#"{"user_id":7,"item_id":"hint-pack","purchase_id":"owned-7"}"#, caller: "7")
        let anonymous = try world.invoice(#"{"user_id":7,"item_id":"hint-pack"}"#).0
        #expect(anonymous.statusCode == 409 && anonymous.errorCode == "purchase_conflict")
        let anonymousID = try world.invoice(#"{"user_id":7,"item_id":"hint-pack","purchase_id":"other-7"}"#).0
        #expect(anonymousID.statusCode == 409 && anonymousID.errorCode == "purchase_conflict")
    }

    @Test func idempotencyKeysAreEachCallersOwn() throws {
        let world = try World()
        let body = #"{"appointment_id":"apt-key","service_slug":"haircut","kind":"deposit"}"#
        let alice = try world.createIntent(body, key: "same-key", caller: "alice")
        #expect(alice.statusCode == 201)
        let bob = try world.createIntent(body, key: "same-key", caller: "bob")
        #expect(bob.headers["Idempotent-Replayed"] == nil, "another caller's stored answer is never replayed")
        #expect(bob.statusCode == 201 && bob.json["payment_id"] as? String != alice.json["payment_id"] as? String)
        let again = try world.createIntent(body, key: "same-key", caller: "alice")
        #expect(again.headers["Idempotent-Replayed"] == "true" && again.body == alice.body)
        #expect(try world.count("SELECT count(*) FROM idempotency_keys") == 2)
    }

    @Test(arguments: Gateway.allCases)
    func plansComeFromTheCatalogCheapestFirst(_ gateway: Gateway) throws {
        let world = try World()
        let answer = try world.read("plans", "/plans", via: gateway)
        #expect(answer.status == 200)
        #expect(answer.headers["cache-control"] == "public, max-age=300")
        let plans = try #require(answer.json["plans"] as? [[String: Any]])
        #expect(plans.map { $0["id"] as? String } == ["basic", "premium", "family"])
        #expect(plans.map { ($0["price"] as? [String: String])?["value"] } == ["299.00", "599.00", "899.00"])
        #expect(plans.allSatisfy { ($0["price"] as? [String: String])?["currency"] == "RUB" })
        #expect(plans.allSatisfy { $0["period_days"] as? Int == 30 && ($0["name"] as? String)?.isEmpty == false })
    }

    @Test(arguments: Gateway.allCases)
    func healthSaysWhatIsWrongWithTheDatabase(_ gateway: Gateway) throws {
        let world = try World()
        let ok = try world.read("health", "/health", via: gateway)
        #expect(ok.status == 200, "\(ok.body)")
        #expect(ok.json["status"] as? String == "ok" && ok.json["database"] as? String == "ok")
        #expect(ok.json["schema_version"] as? Int == Migration.latestVersion)
        #expect(ok.headers["cache-control"] == "no-store")

        let down = try world.read(
            "health", "/health", via: gateway, environment: ["DATABASE_URL": TestDatabase.unreachableURL])
        #expect(down.status == 503, "\(down.body)")
        #expect(down.json["status"] as? String == "unavailable" && down.json["database"] as? String == "unreachable")
        #expect(down.json["schema_version"] is NSNull)
        #expect(down.json["expected_schema_version"] as? Int == Migration.latestVersion)

        let older = try TestDatabase.fresh(migrated: false)
        try Migrator(connection: PGConnection(url: older), migrations: Array(Migration.all.dropLast())).migrate()
        let outdated = try world.read("health", "/health", via: gateway, environment: ["DATABASE_URL": older])
        #expect(outdated.status == 503)
        #expect(outdated.json["database"] as? String == "schema_outdated")
        #expect(outdated.json["schema_version"] as? Int == Migration.latestVersion - 1)
    }

    @Test func invoiceNumbersAreUniqueAndOnePerPaymentUnderConcurrentSuccesses() throws {
        let world = try World()
        var notifications: [[UInt8]] = []
        var payments: [String] = []
        for index in 0..<16 {
            let (local, provider) = try world.createBooking("apt-inv-\(index)")
            payments.append(local)
            notifications.append(try #require(world.yookassa.settle(provider, "succeed")))
        }
        // Each success is delivered twice at once: 32 deliveries racing for 16 payments.
        let all = notifications + notifications
        let answers = concurrently(all.count) { index in try world.notify(all[index]).statusCode }
        #expect(answers.allSatisfy { (try? $0.get()) == 200 })

        let rows = try PGConnection(url: world.databaseURL).query(
            "SELECT id::text AS id, invoice_number, status FROM payments")
        var numbers: Set<String> = []
        for row in rows.rows {
            #expect(try row.string("status") == "succeeded")
            let number = try #require(try row.string("invoice_number"))
            #expect(Self.isInvoiceNumber(number))
            numbers.insert(number)
            let inEvent = try world.value(
                "SELECT invoice FROM (SELECT payload->>'invoice_number' AS invoice FROM events WHERE type = 'booking_paid' AND aggregate_id = $1) AS found",
                [try row.requiredString("id")])
            #expect(inEvent == number, "booking_paid carries the payment's invoice number")
        }
        #expect(numbers.count == 16)
        #expect(try world.count("SELECT count(*) FROM events WHERE type = 'booking_paid'") == 16)
    }

    @Test func aStripePaymentFirstSeenPaidGetsItsInvoiceNumberAtOnce() throws {
        let world = try World()
        let event = world.stripe.makeEvent("checkout.session.completed", dealID: "deal-inv")
        #expect(try world.outcome(event) == "processed")
        let number = try #require(try world.value("SELECT invoice_number FROM payments"))
        #expect(Self.isInvoiceNumber(number))
        let inEvent = try world.value(
            "SELECT invoice FROM (SELECT payload->>'invoice_number' AS invoice FROM events WHERE type = 'deal_paid') AS found"
        )
        #expect(inEvent == number)
    }
}
