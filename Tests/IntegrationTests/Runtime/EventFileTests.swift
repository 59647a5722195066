import Core
import Foundation
import Testing

/// Every file in `events/` runs through its function and gets the answer the README documents.
@Suite struct EventFileTests {
    struct Expectation: Sendable {
        let function: String
        let status: Int
        /// The error code or the outcome.
        let result: String?
        /// Environment beyond the documented one.
        var environment: [String: String] = [:]
        /// A file delivered first, for repeats.
        var after: String? = nil
    }

    /// The documented environment: the YooKassa notification files name a payment a fresh
    /// database does not hold, so alone they show the unknown-payment path; the Stripe files are
    /// signed with `whsec_test_secret` at a fixed time, so they run with the age check off.
    static let documented = [
        "YOOKASSA_WEBHOOK_VERIFY": "ip", "STRIPE_WEBHOOK_SECRET": "whsec_test_secret", "STRIPE_WEBHOOK_TOLERANCE": "0",
        "MOCK_PAYMENTS": "true", "TELEGRAM_WEBHOOK_SECRET": "standin-webhook-secret",
    ]

    static let expected: [String: Expectation] = [
        "create-intent-booking.json": .init(function: "create-intent", status: 201, result: nil),
        "create-intent-booking-v1.json": .init(function: "create-intent", status: 201, result: nil),
        "create-intent-subscription.json": .init(function: "create-intent", status: 201, result: nil),
        "create-intent-unknown-service.json": .init(function: "create-intent", status: 422, result: "unknown_service"),
        "create-intent-invalid-json.json": .init(function: "create-intent", status: 400, result: "invalid_json"),
        "yookassa-payment-succeeded.json": .init(function: "yookassa-webhook", status: 202, result: "unknown_payment"),
        "yookassa-payment-canceled.json": .init(function: "yookassa-webhook", status: 202, result: "unknown_payment"),
        "yookassa-payment-waiting-for-capture.json": .init(
            function: "yookassa-webhook", status: 202, result: "unknown_payment"),
        "yookassa-refund-succeeded.json": .init(function: "yookassa-webhook", status: 202, result: "unknown_payment"),
        "yookassa-untrusted-ip.json": .init(function: "yookassa-webhook", status: 403, result: "untrusted_source"),
        "stripe-checkout-session-completed.json": .init(function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-checkout-session-completed-retry.json": .init(
            function: "stripe-webhook", status: 200, result: "duplicate",
            after: "stripe-checkout-session-completed.json"),
        "stripe-checkout-session-async-payment-succeeded.json": .init(
            function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-checkout-session-async-payment-failed.json": .init(
            function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-payment-intent-succeeded.json": .init(function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-payment-intent-payment-failed.json": .init(
            function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-charge-refunded.json": .init(function: "stripe-webhook", status: 200, result: "ignored"),
        "stripe-refund-created.json": .init(
            function: "stripe-webhook", status: 200, result: "processed", after: "stripe-payment-intent-succeeded.json"),
        "stripe-invoice-payment-succeeded.json": .init(function: "stripe-webhook", status: 200, result: "processed"),
        "stripe-bad-signature.json": .init(
            function: "stripe-webhook", status: 400, result: "signature_verification_failed"),
        "stripe-old-timestamp.json": .init(
            function: "stripe-webhook", status: 400, result: "signature_verification_failed",
            environment: ["STRIPE_WEBHOOK_TOLERANCE": "300"]),
        "stripe-another-account.json": .init(
            function: "stripe-webhook", status: 200, result: "cabinet_ignored",
            environment: ["STRIPE_EXPECTED_ACCOUNT": "acct_1OurAccount000"]),
        "stars-invoice.json": .init(function: "stars-invoice", status: 201, result: nil),
        "stars-invoice-other-user.json": .init(
            function: "stars-invoice", status: 409, result: "purchase_conflict", after: "stars-invoice.json"),
        "stars-purchase.json": .init(function: "stars-purchase", status: 200, result: nil, after: "stars-invoice.json"),
        "stars-webhook-pre-checkout.json": .init(
            function: "stars-webhook", status: 200, result: nil, after: "stars-invoice.json"),
        "stars-webhook-successful-payment.json": .init(
            function: "stars-webhook", status: 200, result: "processed", after: "stars-invoice.json"),
        "stars-webhook-bad-secret.json": .init(function: "stars-webhook", status: 403, result: "invalid_secret_token"),
        "get-payment.json": .init(function: "get-payment", status: 404, result: "payment_not_found"),
        "get-payment-preflight.json": .init(
            function: "get-payment", status: 204, result: nil,
            environment: ["CORS_ALLOWED_ORIGINS": "https://shop.example"]),
        "payment-history.json": .init(function: "payment-history", status: 200, result: nil),
        "payment-history-anonymous.json": .init(function: "payment-history", status: 401, result: "unauthenticated"),
        "get-purchase.json": .init(function: "get-purchase", status: 200, result: nil, after: "stars-invoice.json"),
        "plans.json": .init(function: "plans", status: 200, result: nil),
        "health.json": .init(function: "health", status: 200, result: nil),
    ]

    @Test func everyEventFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.path("events")).filter {
            $0.hasSuffix(".json")
        }
        #expect(Set(files) == Set(Self.expected.keys))
    }

    @Test(arguments: expected.keys.sorted())
    func eventFile(_ name: String) throws {
        let world = try World(Self.documented)
        let expectation = try #require(Self.expected[name])
        if let first = expectation.after, let before = Self.expected[first] {
            #expect(
                try run(first, function: before.function, environment: world.environment).statusCode == before.status)
        }
        let answer = try run(
            name, function: expectation.function,
            environment: world.environment.merging(expectation.environment) { _, new in new })
        #expect(answer.statusCode == expectation.status, "\(name): \(answer.body)")
        if let result = expectation.result {
            #expect(
                answer.errorCode == result || answer.json["outcome"] as? String == result, "\(name): \(answer.body)")
        }
    }

    private func run(_ name: String, function: String, environment: [String: String]) throws -> GatewayAnswer {
        var invocation = Invocation(environment: environment)
        invocation.stdin = try Repo.bytes("events/\(name)")
        return try invocation.run(name: function, makeHandler: try #require(FunctionTable.factory(function)))
    }
}
