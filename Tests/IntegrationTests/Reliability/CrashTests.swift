import Core
import Foundation
import Testing

/// The real executables killed with SIGKILL at chosen points, then the same request delivered
/// again as the provider (or client) would: every final state is right and every domain event
/// exists exactly once.
@Suite struct CrashTests {
    static let trialsPerFlow = 52

    /// Runs `name` on `event` as a process, crashing at `point` (nil: no crash); returns its answer, if any.
    static func invoke(
        _ name: String, _ event: [UInt8], environment: [String: String], crashAt point: String?
    ) throws -> GatewayAnswer? {
        let process = Process()
        process.executableURL = try Processes.product(name)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { _, new in new }
            .merging(point.map { ["PAYFN_CRASH_AT": $0] } ?? [:]) { _, new in new }
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(event))
        try input.fileHandleForWriting.close()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal { return nil }
        return try JSONDecoder().decode(GatewayAnswer.self, from: bytes)
    }

    static func event(
        _ path: String, _ body: [UInt8], headers: [String: String] = [:], sourceIP: String = "185.71.76.5"
    ) -> [UInt8] {
        let event: [String: Any] = [
            "version": "2.0", "rawPath": path,
            "headers": headers.merging(["content-type": "application/json"]) { old, _ in old },
            "body": String(decoding: body, as: UTF8.self), "isBase64Encoded": false,
            "requestContext": ["requestId": UUID().uuidString, "http": ["method": "POST", "sourceIp": sourceIP]],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: event))
    }

    /// Crashes one delivery (and checks it did die), then redelivers until it is answered, as the sender would.
    static func crashThenRedeliver(
        _ name: String, _ event: [UInt8], environment: [String: String], point: String
    ) throws -> GatewayAnswer {
        let crashed = try invoke(name, event, environment: environment, crashAt: point)
        #expect(crashed == nil, "\(name) did not reach \(point)")
        for _ in 0..<3 {
            if let answer = try invoke(name, event, environment: environment, crashAt: nil), answer.statusCode < 500 {
                return answer
            }
        }
        return try #require(try invoke(name, event, environment: environment, crashAt: nil))
    }

    @Test func webhooksSurviveCrashesAtEveryPoint() throws {
        var generator = SystemRandomNumberGenerator()
        let world = try World(["STRIPE_WEBHOOK_TOLERANCE": "0"])
        let points = ["after_claim", "before_commit", "after_commit"]
        var trials = 0
        for index in 0..<Self.trialsPerFlow {
            let point = points.randomElement(using: &generator)!
            // YooKassa: a paid booking.
            let (local, provider) = try world.createBooking("crash-\(index)")
            let notification = try #require(world.yookassa.settle(provider, "succeed"))
            let yookassa = try Self.crashThenRedeliver(
                "yookassa-webhook", Self.event("/api/webhooks/yookassa", notification), environment: world.environment,
                point: point)
            #expect(yookassa.statusCode == 200, "yookassa \(point): \(yookassa.body)")
            #expect(try world.value("SELECT status FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
            #expect(
                try world.count(
                    "SELECT count(*) FROM events WHERE type = 'booking_paid' AND aggregate_id = $1", [local]) == 1,
                "yookassa \(point)")

            // Stripe: a paid Checkout Session.
            let paid = world.stripe.makeEvent("checkout.session.completed", dealID: "deal_crash_\(index)")
            let (body, signature) = world.stripe.signedDelivery(paid)
            let stripe = try Self.crashThenRedeliver(
                "stripe-webhook", Self.event("/api/webhooks/stripe", body, headers: ["stripe-signature": signature]),
                environment: world.environment, point: point)
            #expect(stripe.statusCode == 200, "stripe \(point): \(stripe.body)")
            #expect(
                try world.count(
                    "SELECT count(*) FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' = $1",
                    ["deal_crash_\(index)"]) == 1, "stripe \(point)")

            // Telegram Stars: a successful payment.
            let purchase = "crash-\(index)"
            _ = try world.invoice(#"{"user_id":\#(700 + index),"item_id":"hint-pack","purchase_id":"\#(purchase)"}"#)
            let update = world.telegram.successfulPaymentUpdate(
                purchaseID: purchase, userID: Int64(700 + index), amount: 50)
            let stars = try Self.crashThenRedeliver(
                "stars-webhook",
                Self.event(
                    "/api/v1/purchase/webhook", update,
                    headers: [
                        "x-telegram-bot-api-secret-token": world.telegram.webhookSecret
                    ]), environment: world.environment, point: point)
            #expect(stars.statusCode == 200, "stars \(point): \(stars.body)")
            #expect(try world.value("SELECT status FROM purchases WHERE id = $1", [purchase]) == "succeeded")
            #expect(
                try world.count(
                    "SELECT count(*) FROM events WHERE type = 'purchase_succeeded' AND aggregate_id = $1", [purchase])
                    == 1, "stars \(point)")
            #expect(try world.count("SELECT count(*) FROM purchase_charges WHERE purchase_id = $1", [purchase]) == 1)
            trials += 3
        }
        #expect(trials >= 150)
    }

    @Test func createIntentSurvivesCrashesAndResumesTheSamePayment() throws {
        var generator = SystemRandomNumberGenerator()
        let world = try World()
        let points = ["after_local_row", "after_provider_call", "before_commit", "after_commit"]
        for index in 0..<Self.trialsPerFlow {
            let point = points.randomElement(using: &generator)!
            let body = Array(#"{"appointment_id":"crash-ci-\#(index)","service_slug":"haircut","kind":"deposit"}"#.utf8)
            let answer = try Self.crashThenRedeliver(
                "create-intent", Self.event("/api/public/payments", body), environment: world.environment, point: point)
            #expect([200, 201].contains(answer.statusCode), "\(point): \(answer.body)")
            #expect(
                try world.count("SELECT count(*) FROM payments WHERE appointment_id = $1", ["crash-ci-\(index)"]) == 1,
                "\(point)")
            #expect(
                try world.count(
                    "SELECT count(*) FROM payments WHERE appointment_id = $1 AND provider_payment_id IS NOT NULL",
                    ["crash-ci-\(index)"]) == 1)
            #expect(
                try world.count(
                    "SELECT count(*) FROM events WHERE type = 'payment_started' AND payload->>'appointment_id' = $1",
                    ["crash-ci-\(index)"]) == 1, "\(point)")
        }
        #expect(world.yookassa.paymentsCreated == Self.trialsPerFlow, "one provider payment per booking, crash or not")
    }
}
