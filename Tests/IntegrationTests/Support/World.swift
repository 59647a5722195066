import Core
import Foundation
import StandIns

/// A fresh database and every provider stand-in on loopback, with the functions' environment
/// pointing at them.
final class World: @unchecked Sendable {
    let yookassa = YooKassaStandIn()
    let stripe = StripeStandIn()
    let telegram = TelegramStandIn()
    private let servers: [LoopbackServer]
    let databaseURL: String
    let environment: [String: String]

    init(_ extra: [String: String] = [:]) throws {
        let yookassaServer = try LoopbackServer(handler: yookassa.handle)
        let stripeServer = try LoopbackServer(handler: stripe.handle)
        let telegramServer = try LoopbackServer(handler: telegram.handle)
        servers = [yookassaServer, stripeServer, telegramServer]
        databaseURL = try TestDatabase.fresh()
        environment = [
            "DATABASE_URL": databaseURL, "CATALOG_PATH": Repo.path("catalog.json"),
            "YOOKASSA_API_URL": yookassaServer.baseURL, "YOOKASSA_SHOP_ID": yookassa.shopID,
            "YOOKASSA_SECRET_KEY": yookassa.secretKey,
            "YOOKASSA_RETURN_URL": "https://shop.example/payments/return", "YOOKASSA_TIMEOUT_MS": "3000",
            "STRIPE_WEBHOOK_SECRET": stripe.webhookSecret, "STRIPE_API_URL": stripeServer.baseURL,
            "STRIPE_API_KEY": stripe.apiKey,
            "TELEGRAM_API_URL": telegramServer.baseURL, "TELEGRAM_BOT_TOKEN": telegram.botToken,
            "TELEGRAM_WEBHOOK_SECRET": telegram.webhookSecret, "MOCK_PAYMENTS": "true",
        ].merging(extra) { _, new in new }
    }

    deinit { servers.forEach { $0.stop() } }

    // MARK: YooKassa

    func createIntent(
        _ body: String, key: String? = nil, caller: String? = nil, environment extra: [String: String] = [:]
    ) throws -> GatewayAnswer {
        let invocation = Invocation.v2(
            body: body, path: "/api/public/payments", headers: key.map { ["Idempotency-Key": $0] } ?? [:],
            caller: caller, environment: environment.merging(extra) { _, new in new })
        return try run(invocation, "create-intent", CreateIntentHandler.make)
    }

    func notify(
        _ notification: [UInt8], from sourceIP: String = "185.71.76.5", headers: [String: String] = [:],
        environment extra: [String: String] = [:]
    ) throws -> GatewayAnswer {
        let invocation = Invocation.v2(
            body: String(decoding: notification, as: UTF8.self), path: "/api/webhooks/yookassa", headers: headers,
            sourceIP: sourceIP, environment: environment.merging(extra) { _, new in new })
        return try run(invocation, "yookassa-webhook", YooKassaWebhookSource.make)
    }

    /// A booking paid for in the stand-in, by `caller` when given: returns (local id, provider id).
    func createBooking(
        _ appointment: String = "apt-\(UUID().uuidString.prefix(8))", kind: String = "deposit", caller: String? = nil
    ) throws -> (String, String) {
        let answer = try createIntent(
            #"{"appointment_id":"\#(appointment)","service_slug":"haircut","kind":"\#(kind)"}"#, caller: caller)
        let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as! [String: Any]
        let local = object["payment_id"] as! String
        return (local, try value("SELECT provider_payment_id FROM payments WHERE id = $1::uuid", [local])!)
    }

    // MARK: Stripe

    /// Delivers `event` signed (`secret`, `age` seconds ago) and returns the answer and log.
    @discardableResult
    func deliver(
        _ event: [String: Any], secret: String? = nil, age: Int = 0, environment extra: [String: String] = [:]
    ) throws -> (GatewayAnswer, [String]) {
        let (body, signature) = stripe.signedDelivery(event, secret: secret, age: age)
        let invocation = Invocation.v2(
            body: String(decoding: body, as: UTF8.self), path: "/api/webhooks/stripe",
            headers: ["Stripe-Signature": signature], sourceIP: "54.187.174.169",
            environment: environment.merging(extra) { _, new in new })
        let answer = try run(invocation, "stripe-webhook", StripeWebhookSource.make)
        return (answer, invocation.sink.lines)
    }

    func outcome(_ event: [String: Any]) throws -> String? { try deliver(event).0.json["outcome"] as? String }

    func status(paymentIntent: String) throws -> String? {
        try PGConnection(url: databaseURL).query(
            "SELECT status FROM payments WHERE provider_payment_id = $1", [paymentIntent]
        ).first?.string("status")
    }

    // MARK: Telegram Stars

    func invoice(
        _ body: String, caller: String? = nil, environment extra: [String: String] = [:]
    ) throws -> (GatewayAnswer, [String]) {
        try call("stars-invoice", "/api/v1/purchase/invoice", body, StarsInvoiceHandler.make, caller, extra)
    }

    func purchase(
        _ body: String, caller: String? = nil, environment extra: [String: String] = [:]
    ) throws -> (GatewayAnswer, [String]) {
        try call("stars-purchase", "/api/v1/purchase", body, StarsPurchaseHandler.make, caller, extra)
    }

    func update(
        _ update: [UInt8], token: String? = nil, environment extra: [String: String] = [:]
    ) throws -> GatewayAnswer {
        let invocation = Invocation.v2(
            body: String(decoding: update, as: UTF8.self), path: "/api/v1/purchase/webhook",
            headers: ["X-Telegram-Bot-Api-Secret-Token": token ?? telegram.webhookSecret].filter { !$0.value.isEmpty },
            sourceIP: "149.154.167.220", environment: environment.merging(extra) { _, new in new })
        return try run(invocation, "stars-webhook", TelegramWebhookSource.make)
    }

    private func call(
        _ name: String, _ path: String, _ body: String, _ make: @escaping (FunctionContext) throws -> any Handler,
        _ caller: String?, _ extra: [String: String]
    ) throws -> (GatewayAnswer, [String]) {
        let invocation = Invocation.v2(
            body: body, path: path, caller: caller, environment: environment.merging(extra) { _, new in new })
        return (try run(invocation, name, make), invocation.sink.lines)
    }

    // MARK: Runs

    private let lastRun = NSLock()
    private var lastContext: FunctionContext?

    /// Runs `invocation` as the function `name`, keeping its context to read what its store did.
    private func run(
        _ invocation: Invocation, _ name: String, _ make: (FunctionContext) throws -> any Handler
    ) throws -> GatewayAnswer {
        try invocation.run(name: name) { context in
            lastRun.withLock { lastContext = context }
            return try make(context)
        }
    }

    /// The round trips to PostgreSQL the last function run made (none if it never connected).
    func lastRoundTrips() throws -> Int {
        try lastRun.withLock { lastContext }?.store().connection().roundTrips ?? 0
    }

    // MARK: Database

    func value(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> String? {
        let result = try PGConnection(url: databaseURL).query(sql, parameters)
        guard let row = result.first else { return nil }
        let column = sql.split(separator: " ")[1].trimmingCharacters(in: .punctuationCharacters)
        return try row.string(column)
    }

    /// The first row's column `v` as text: for expressions, which `value` cannot name.
    func text(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> String? {
        try PGConnection(url: databaseURL).query(sql, parameters).first?.string("v")
    }

    func count(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> Int {
        Int(try PGConnection(url: databaseURL).query(sql, parameters).first?.requiredInt("count") ?? -1)
    }

    /// Every text value in every table, for scanning for data that must never be stored.
    func everything() throws -> String {
        let connection = try PGConnection(url: databaseURL)
        var text = ""
        for table in ["payments", "purchases", "webhook_events", "idempotency_keys", "events"] {
            for row in try connection.query("SELECT t::text AS row FROM \(table) t").rows {
                text += (try row.string("row") ?? "") + "\n"
            }
        }
        return text
    }
}

extension GatewayAnswer {
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}
