import Core
import Foundation
import StandIns
import Testing

@Suite struct PayCtlTests {
    /// A database with one event of each kind an operator must tell apart; returns the log.
    static func seeded() throws -> (World, [String], paid: String) {
        let world = try World(["STRIPE_EXPECTED_LIVEMODE": "false"])
        var log: [String] = []
        let paid = world.stripe.makeEvent("checkout.session.completed", dealID: "deal_a", paymentIntent: "pi_a")
        log += try world.deliver(paid).1
        log += try world.deliver(paid).1
        log += try world.deliver(
            world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_b", paymentIntent: "pi_b")
        ).1
        log += try world.deliver(
            world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_x"), secret: "whsec_wrong"
        ).1
        log += try world.deliver(world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_c", livemode: true)).1
        log += try world.deliver(world.stripe.makeEvent("invoice.payment_succeeded", dealID: nil)).1
        return (world, log, paid["id"] as! String)
    }

    @Test func summaryCountsASeededDatabase() throws {
        let (world, _, _) = try Self.seeded()
        let result = try Processes.run(["summary", "--since", "1h", "--json"], environment: world.environment)
        #expect(result.status == 1, "problems make the exit code 1")
        let report = try #require(result.json as? [String: Any])
        #expect(report["total"] as? Int == 5)
        #expect(report["signatureFailures"] as? Int == 1)
        #expect(report["cabinetIgnored"] as? Int == 1)
        #expect(report["duplicates"] == nil, "a duplicate writes nothing; its count is in the log")
        #expect(report["dealIdMissing"] as? Int == 1)
        #expect(report["errors"] as? Int == 0)
        let deals = try #require(report["dealsWithProblems"] as? [[String: Any]]).compactMap { $0["deal"] as? String }
        #expect(deals == ["deal_c"])
        let counts = try #require(report["counts"] as? [[String: Any]])
        #expect(
            counts.contains {
                $0["type"] as? String == "checkout.session.completed" && $0["outcome"] as? String == "processed"
                    && $0["count"] as? Int == 1
            })
        let human = try Processes.run(["summary", "--since", "1h"], environment: world.environment)
        #expect(human.stdout.contains("Signature failures: 1"))
        #expect(human.stdout.contains("Next steps:"))
        #expect(human.stdout.contains("STRIPE_EXPECTED_LIVEMODE"))
    }

    @Test func summaryFromLogLines() throws {
        let (world, log, _) = try Self.seeded()
        let result = try Processes.run(
            ["summary", "--lines", "500", "--json"], environment: world.environment,
            stdin: (["not a log line"] + log).joined(separator: "\n"))
        let report = try #require(result.json as? [String: Any])
        #expect(report["signatureFailures"] as? Int == 1)
        #expect(report["cabinetIgnored"] as? Int == 1)
        #expect(report["duplicates"] as? Int == 1)
        #expect(report["dealIdMissing"] as? Int == 1)
        #expect(report["total"] as? Int == 6, "five deliveries done and one refused")
    }

    @Test func emptyDatabaseSaysNotFoundWithNextSteps() throws {
        let world = try World()
        let result = try Processes.run(["summary"], environment: world.environment)
        #expect(result.status == 1)
        #expect(result.stdout.contains("webhook events not found"))
        #expect(result.stdout.contains("payctl stripe events --failed"))
    }

    @Test func stripeEventsPaginatesAndFilters() throws {
        let world = try World()
        for index in 0..<130 {
            world.stripe.makeEvent(
                index % 10 == 0 ? "charge.refunded" : "payment_intent.succeeded", dealID: "d\(index)",
                created: 1_800_000_000 + index)
        }
        let all = try Processes.run(["stripe", "events", "--limit", "150", "--json"], environment: world.environment)
        #expect(all.status == 0, "\(all.stderr)")
        let listed = try #require(all.json as? [[String: Any]])
        #expect(listed.count == 130, "more than one page of at most 100")
        #expect(Set(listed.compactMap { $0["id"] as? String }).count == 130)
        let created = listed.compactMap { $0["created"] as? Int }
        #expect(created == created.sorted(by: >), "newest first")
        #expect(listed.first?["request"] as? [String: String] != nil)

        let few = try Processes.run(["stripe", "events", "--limit", "5", "--json"], environment: world.environment)
        #expect((few.json as? [Any])?.count == 5)
        let refunds = try Processes.run(
            ["stripe", "events", "--type", "charge.refunded", "--limit", "100", "--json"],
            environment: world.environment)
        #expect((refunds.json as? [[String: Any]])?.allSatisfy { $0["type"] as? String == "charge.refunded" } == true)
        #expect((refunds.json as? [Any])?.count == 13)
        let human = try Processes.run(["stripe", "events", "--limit", "3"], environment: world.environment)
        #expect(human.stdout.split(separator: "\n").count == 3)
        #expect(human.stdout.contains("test  req_"))
    }

    @Test func stripeEventsFailedOnly() throws {
        let world = try World()
        let undelivered = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d1")
        #expect(world.stripe.deliver(undelivered, to: "http://127.0.0.1:9/nowhere") == 0)
        world.stripe.makeEvent("payment_intent.succeeded", dealID: "d2")
        let failed = try Processes.run(["stripe", "events", "--failed", "--json"], environment: world.environment)
        #expect((failed.json as? [[String: Any]])?.compactMap { $0["id"] as? String } == [undelivered["id"] as! String])
    }

    @Test func stripeEventsWithABadKeySaysWhatToCheck() throws {
        let world = try World()
        let result = try Processes.run(
            ["stripe", "events"],
            environment: world.environment.merging(["STRIPE_API_KEY": "rk_test_wrongwrongwrong"]) { _, new in new })
        #expect(result.status == 4)
        #expect(result.stderr.contains("HTTP 401"))
        #expect(result.stderr.contains("check STRIPE_API_KEY"))
        let missing = try Processes.run(["stripe", "events"], environment: ["PATH": "/usr/bin"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("STRIPE_API_KEY is not set"))
    }

    @Test func showTellsTheWholeStory() throws {
        let (world, _, paid) = try Self.seeded()
        let result = try Processes.run(["show", paid], environment: world.environment)
        #expect(result.status == 0)
        for text in [
            "checkout.session.completed", "processed", "applied 1×", "deal_a", "signature verified",
            "automation event emitted", "deal_paid",
        ] {
            #expect(result.stdout.contains(text), "\(text)")
        }
        let unknown = try Processes.run(["show", "evt_unknown"], environment: world.environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not found"))
    }

    @Test func tailFilters() throws {
        let (world, log, _) = try Self.seeded()
        let deal = try Processes.run(["tail", "--no-follow", "--deal", "deal_a"], environment: world.environment)
        #expect(deal.stdout.split(separator: "\n").count == 1)
        #expect(deal.stdout.contains("deal=deal_a") && !deal.stdout.contains("applied="), "applied once, repeated once")
        let refunded = try Processes.run(
            ["tail", "--no-follow", "--type", "invoice.payment_succeeded", "--json"], environment: world.environment)
        let rows = refunded.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(rows.count == 1)
        #expect(rows.first?["outcome"] as? String == "deal_id_missing")
        let fromLogs = try Processes.run(
            ["tail", "--logs", "--deal", "deal_b"], environment: world.environment, stdin: log.joined(separator: "\n"))
        #expect(!fromLogs.stdout.isEmpty)
        #expect(fromLogs.stdout.split(separator: "\n").allSatisfy { $0.contains("deal=deal_b") })
        #expect(fromLogs.stdout.contains("automation event emitted"))
    }

    @Test func noCommandPrintsASecret() throws {
        let (world, log, paid) = try Self.seeded()
        let secrets = [
            "YOOKASSA_SECRET_KEY": "test_yk_secret_value_1234", "STRIPE_WEBHOOK_SECRET": world.stripe.webhookSecret,
            "STRIPE_API_KEY": world.stripe.apiKey,
            "TELEGRAM_BOT_TOKEN": "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "TELEGRAM_WEBHOOK_SECRET": "tg-secret-token-5678",
        ]
        let environment = world.environment.merging(secrets) { _, new in new }.merging(["LOG_LEVEL": "debug"]) {
            _, new in new
        }
        let commands: [([String], String)] = [
            (["migrate"], ""), (["tail", "--no-follow"], ""), (["tail", "--no-follow", "--json"], ""),
            (["tail", "--logs"], log.joined(separator: "\n")),
            (["summary"], ""), (["summary", "--json"], ""),
            (["summary", "--lines", "100"], log.joined(separator: "\n")), (["show", paid], ""),
            (["show", paid, "--json"], ""), (["stripe", "events"], ""), (["stripe", "events", "--json"], ""),
            (["idempotency", "purge"], ""),
        ]
        var outputs: [String] = []
        for (arguments, stdin) in commands {
            let result = try Processes.run(arguments, environment: environment, stdin: stdin)
            outputs.append(result.stdout + result.stderr)
        }
        let badDatabase = environment.merging([
            "DATABASE_URL": "postgresql://ops:db-password-9876@127.0.0.1:1/payments?connect_timeout=1"
        ]) { _, new in new }
        let failed = try Processes.run(["summary"], environment: badDatabase)
        #expect(failed.status == 3)
        outputs.append(failed.stdout + failed.stderr)
        let all = outputs.joined(separator: "\n")
        for secret in Array(secrets.values) + ["db-password-9876"] {
            #expect(!all.contains(secret), "payctl printed \(secret)")
        }
    }
}
