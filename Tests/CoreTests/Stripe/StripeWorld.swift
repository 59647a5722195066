import Core
import Foundation
import StandIns

/// A fresh database and a Stripe stand-in, with the stripe-webhook environment.
final class StripeWorld: @unchecked Sendable {
    let standIn = StripeStandIn()
    let server: LoopbackServer
    let databaseURL: String
    let environment: [String: String]

    init(_ extra: [String: String] = [:]) throws {
        server = try LoopbackServer(handler: standIn.handle)
        databaseURL = try TestDatabase.fresh()
        environment = [
            "DATABASE_URL": databaseURL, "STRIPE_WEBHOOK_SECRET": standIn.webhookSecret,
            "STRIPE_API_URL": server.baseURL, "STRIPE_API_KEY": standIn.apiKey,
        ].merging(extra) { _, new in new }
    }

    deinit { server.stop() }

    /// Delivers `event` signed (`secret`, `age` seconds ago) and returns the answer and log.
    @discardableResult
    func deliver(_ event: [String: Any], secret: String? = nil, age: Int = 0, environment extra: [String: String] = [:]) throws -> (GatewayAnswer, [String]) {
        let (body, signature) = standIn.signedDelivery(event, secret: secret, age: age)
        let invocation = Invocation.v2(body: String(decoding: body, as: UTF8.self), path: "/api/webhooks/stripe",
                                       headers: ["Stripe-Signature": signature], sourceIP: "54.187.174.169",
                                       environment: environment.merging(extra) { _, new in new })
        let answer = try invocation.run(name: "stripe-webhook", makeHandler: StripeWebhookHandler.make)
        return (answer, invocation.sink.lines)
    }

    func outcome(_ event: [String: Any]) throws -> String? { try deliver(event).0.json["outcome"] as? String }

    func count(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> Int {
        Int(try PGConnection(url: databaseURL).query(sql, parameters).first?.requiredInt("count") ?? -1)
    }

    func status(paymentIntent: String) throws -> String? {
        try PGConnection(url: databaseURL).query("SELECT status FROM payments WHERE provider_payment_id = $1", [paymentIntent]).first?.string("status")
    }
}
