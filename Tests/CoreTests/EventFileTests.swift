import Core
import Foundation
import Testing

/// Every file in `events/` runs through its function and gets the answer the README documents.
@Suite struct EventFileTests {
    /// file → (function, status, error code or outcome). The notification files name a payment
    /// this database does not hold, so alone they show the unknown-payment path.
    static let expected: [String: (String, Int, String?)] = [
        "create-intent-booking.json": ("create-intent", 201, nil),
        "create-intent-booking-v1.json": ("create-intent", 201, nil),
        "create-intent-subscription.json": ("create-intent", 201, nil),
        "create-intent-unknown-service.json": ("create-intent", 422, "unknown_service"),
        "create-intent-invalid-json.json": ("create-intent", 400, "invalid_json"),
        "yookassa-payment-succeeded.json": ("yookassa-webhook", 202, "unknown_payment"),
        "yookassa-payment-canceled.json": ("yookassa-webhook", 202, "unknown_payment"),
        "yookassa-payment-waiting-for-capture.json": ("yookassa-webhook", 202, "unknown_payment"),
        "yookassa-refund-succeeded.json": ("yookassa-webhook", 202, "unknown_payment"),
        "yookassa-untrusted-ip.json": ("yookassa-webhook", 403, "untrusted_source"),
    ]

    static func factory(_ function: String) -> ((FunctionContext) throws -> any Handler)? {
        switch function {
        case "create-intent": CreateIntentHandler.make
        case "yookassa-webhook": YooKassaWebhookHandler.make
        default: nil
        }
    }

    @Test func everyEventFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.path("events")).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(Self.expected.keys))
    }

    @Test(arguments: expected.keys.sorted())
    func eventFile(_ name: String) throws {
        let world = try YooKassaWorld(["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        let (function, status, code) = try #require(Self.expected[name])
        var invocation = Invocation(environment: world.environment)
        invocation.stdin = try Repo.bytes("events/\(name)")
        let answer = try invocation.run(name: function, makeHandler: try #require(Self.factory(function)))
        #expect(answer.statusCode == status, "\(name): \(answer.body)")
        if let code { #expect(answer.errorCode == code || answer.json["outcome"] as? String == code, "\(name): \(answer.body)") }
    }
}
