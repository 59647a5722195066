import Core
import Foundation

/// A loopback stand-in for the Telegram Bot API: `createInvoiceLink` (with Telegram's limits),
/// `sendMessage`, `answerPreCheckoutQuery` and `refundStarPayment` (of the charges its buyer made,
/// once each: `CHARGE_ALREADY_REFUNDED` after), and a buyer who sends `pre_checkout_query` and then
/// `successful_payment` updates to a webhook with the secret token.
///
/// Control endpoints, for scripts: `POST /_control/buy?purchase_id=…&user_id=…&amount=…&deliver_to=URL`
/// plays the whole purchase; `POST /_control/updates/{pre_checkout_query|successful_payment}?…&as=event`
/// answers with the API Gateway event a gateway would hand the webhook.
package final class TelegramStandIn: @unchecked Sendable {
    package let botToken: String
    package let webhookSecret: String

    private let lock = NSLock()
    private var nextUpdateID: Int64 = 700_000_000
    private var failures: [(status: Int, retryAfter: Int64?)] = []
    private var links = 0
    private var answers: [[String: Any]] = []
    private var sent: [[String: Any]] = []
    /// Users who never started the bot: a message to them is refused as Telegram refuses it.
    private var unreachable: Set<Int64> = []
    /// Charges the buyer made: who paid, and whether they were refunded.
    private var charges: [String: (userID: Int64, refunded: Bool)] = [:]
    /// The bot's Stars transactions, oldest first, as `getStarTransactions` lists them.
    private var transactions: [[String: Any]] = []
    /// At most this many transactions a page, whatever `limit` asks.
    private var pageCap = 100

    package init(
        botToken: String = "7000000001:AAStandInBotTokenForLoopbackTests0000",
        webhookSecret: String = "standin-webhook-secret"
    ) {
        self.botToken = botToken
        self.webhookSecret = webhookSecret
    }

    /// Fails the next Bot API calls with these statuses (429 carries `retry_after` seconds).
    package func failNext(_ status: Int, retryAfter: Int64? = nil, times: Int = 1) {
        lock.withLock { failures += Array(repeating: (status, retryAfter), count: times) }
    }

    /// `getStarTransactions` answers at most `items` a page from now on.
    package func capTransactionPages(at items: Int) { lock.withLock { pageCap = items } }

    /// Refunds a charge as if from elsewhere (another tool, the bot by hand): no call reaches the
    /// functions, only the outgoing transaction shows it.
    package func refundElsewhere(_ chargeID: String) {
        lock.withLock {
            guard let made = charges[chargeID], !made.refunded else { return }
            charges[chargeID] = (made.userID, true)
            transactions.append(Self.transaction(chargeID, amount: amountOf(chargeID), user: made.userID, out: true))
        }
    }

    /// From now on `sendMessage` to `userID` answers 403 "bot can't initiate conversation with a
    /// user", as Telegram answers for a user who never started the bot.
    package func makeUnreachable(_ userID: Int64) { _ = lock.withLock { unreachable.insert(userID) } }

    /// Drops the failures not yet played.
    package func clearFailures() { lock.withLock { failures.removeAll() } }

    /// How many invoice links were made.
    package var linksCreated: Int { lock.withLock { links } }

    /// `answerPreCheckoutQuery` calls received.
    package var preCheckoutAnswers: [[String: Any]] { lock.withLock { answers } }

    /// The charges refunded through `refundStarPayment`.
    package var refundedCharges: Set<String> { lock.withLock { Set(charges.filter { $0.value.refunded }.keys) } }

    /// `sendMessage` calls received (`chat_id`, `text`).
    package var messages: [[String: Any]] { lock.withLock { sent } }

    // MARK: The buyer

    /// A `pre_checkout_query` update for `purchaseID`.
    package func preCheckoutUpdate(
        purchaseID: String, userID: Int64, amount: Int64, currency: String = "XTR"
    ) -> [UInt8] {
        JSONAnswer.encode([
            "update_id": takeUpdateID(),
            "pre_checkout_query": [
                "id": String(Int64.random(in: 1_000_000_000_000...9_999_999_999_999)),
                "from": ["id": userID, "is_bot": false, "first_name": "Test", "language_code": "en"],
                "currency": currency, "total_amount": amount, "invoice_payload": purchaseID,
            ] as [String: Any],
        ])
    }

    /// A `message.successful_payment` update for `purchaseID`.
    package func successfulPaymentUpdate(
        purchaseID: String, userID: Int64, amount: Int64, chargeID: String? = nil
    ) -> [UInt8] {
        let charge = chargeID ?? "stxCharge" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        lock.withLock {
            if charges[charge] == nil {
                transactions.append(
                    Self.transaction(charge, amount: amount, user: userID, out: false, payload: purchaseID))
            }
            charges[charge] = (userID, false)
        }
        return JSONAnswer.encode([
            "update_id": takeUpdateID(),
            "message": [
                "message_id": Int.random(in: 1...999_999), "date": Int(Date().timeIntervalSince1970),
                "from": ["id": userID, "is_bot": false, "first_name": "Test"],
                "chat": ["id": userID, "type": "private"],
                "successful_payment": [
                    "currency": "XTR", "total_amount": amount, "invoice_payload": purchaseID,
                    "telegram_payment_charge_id": charge,
                    "provider_payment_charge_id": "",
                ],
            ] as [String: Any],
        ])
    }

    private func takeUpdateID() -> Int64 {
        lock.withLock {
            nextUpdateID += 1
            return nextUpdateID
        }
    }

    // MARK: Serving

    package func handle(_ request: ServerRequest) -> ServerAction {
        if request.path.hasPrefix("/_control/") { return control(request) }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == "bot\(botToken)" else { return reply(401, "Unauthorized") }
        if let failure = lock.withLock({ failures.isEmpty ? nil : failures.removeFirst() }) {
            var body: [String: Any] = [
                "ok": false, "error_code": failure.status,
                "description": failure.status == 429 ? "Too Many Requests: retry later" : "Internal Server Error",
            ]
            if let retryAfter = failure.retryAfter { body["parameters"] = ["retry_after": retryAfter] }
            return JSONAnswer.ok(body, status: failure.status)
        }
        guard let body = JSONAnswer.decodeObject(request.body) else { return reply(400, "Bad Request: invalid JSON") }
        switch parts[1] {
        case "createInvoiceLink":
            if let problem = Self.invoiceProblem(body) { return reply(400, "Bad Request: \(problem)") }
            lock.withLock { links += 1 }
            return JSONAnswer.ok([
                "ok": true,
                "result": "https://t.me/$" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(22),
            ])
        case "answerPreCheckoutQuery":
            lock.withLock { answers.append(body) }
            return JSONAnswer.ok(["ok": true, "result": true])
        case "refundStarPayment":
            guard let userID = body["user_id"] as? Int, let charge = body["telegram_payment_charge_id"] as? String
            else { return reply(400, "Bad Request: user_id and telegram_payment_charge_id are required") }
            return lock.withLock {
                guard let made = charges[charge], made.userID == Int64(userID) else {
                    return reply(400, "Bad Request: CHARGE_NOT_FOUND")
                }
                guard !made.refunded else { return reply(400, "Bad Request: CHARGE_ALREADY_REFUNDED") }
                charges[charge] = (made.userID, true)
                transactions.append(Self.transaction(charge, amount: amountOf(charge), user: made.userID, out: true))
                return JSONAnswer.ok(["ok": true, "result": true])
            }
        case "getStarTransactions":
            let offset = body["offset"] as? Int ?? 0
            let limit = body["limit"] as? Int ?? 100
            guard offset >= 0, (1...100).contains(limit) else { return reply(400, "Bad Request: invalid limit") }
            let page = lock.withLock { Array(transactions.dropFirst(offset).prefix(min(limit, pageCap))) }
            return JSONAnswer.ok(["ok": true, "result": ["transactions": page]])
        case "sendMessage":
            guard let chat = body["chat_id"] as? Int else { return reply(400, "Bad Request: chat not found") }
            if lock.withLock({ unreachable.contains(Int64(chat)) }) {
                return reply(403, "Forbidden: bot can't initiate conversation with a user")
            }
            guard let text = body["text"] as? String, (1...4_096).contains(text.count) else {
                return reply(400, "Bad Request: message text is empty or too long")
            }
            let messageID = lock.withLock {
                sent.append(body)
                return sent.count
            }
            return JSONAnswer.ok(["ok": true, "result": ["message_id": messageID, "text": text]])
        default:
            return reply(404, "Not Found: method not found")
        }
    }

    /// Telegram's checks on a Stars invoice, or nil when it passes them.
    static func invoiceProblem(_ body: [String: Any]) -> String? {
        let title = body["title"] as? String ?? ""
        let description = body["description"] as? String ?? ""
        let payload = body["payload"] as? String ?? ""
        let prices = body["prices"] as? [[String: Any]] ?? []
        if !(1...32).contains(title.count) { return "invoice title length must be 1-32" }
        if !(1...255).contains(description.count) { return "invoice description length must be 1-255" }
        if !(1...128).contains(payload.utf8.count) { return "invoice payload length must be 1-128 bytes" }
        if body["currency"] as? String != "XTR" { return "currency must be XTR for Telegram Stars" }
        if (body["provider_token"] as? String ?? "") != "" { return "provider_token must be empty for Telegram Stars" }
        if prices.count != 1 || (prices[0]["amount"] as? Int ?? 0) <= 0 {
            return "Stars invoices take exactly one positive price"
        }
        return nil
    }

    private func control(_ request: ServerRequest) -> ServerAction {
        guard let purchaseID = request.parameter("purchase_id"),
            let userID = request.parameter("user_id").flatMap(Int64.init),
            let amount = request.parameter("amount").flatMap(Int64.init)
        else { return reply(400, "purchase_id, user_id and amount are required") }
        let secret = request.parameter("secret_token") ?? webhookSecret
        switch request.path {
        case "/_control/buy":
            guard let target = request.parameter("deliver_to") else { return reply(400, "deliver_to is required") }
            let query = send(
                preCheckoutUpdate(purchaseID: purchaseID, userID: userID, amount: amount), to: target, secret: secret)
            let answer = JSONAnswer.decodeObject(query?.body ?? []) ?? [:]
            guard answer["method"] as? String == "answerPreCheckoutQuery", answer["ok"] as? Bool == true else {
                return JSONAnswer.ok([
                    "pre_checkout_ok": false, "error_message": answer["error_message"] ?? "no answer",
                ])
            }
            let paid = send(
                successfulPaymentUpdate(purchaseID: purchaseID, userID: userID, amount: amount), to: target,
                secret: secret)
            return JSONAnswer.ok(["pre_checkout_ok": true, "payment_status": paid?.status ?? 0])
        case "/_control/updates/pre_checkout_query", "/_control/updates/successful_payment":
            let update =
                request.path.hasSuffix("pre_checkout_query")
                ? preCheckoutUpdate(purchaseID: purchaseID, userID: userID, amount: amount)
                : successfulPaymentUpdate(
                    purchaseID: purchaseID, userID: userID, amount: amount, chargeID: request.parameter("charge_id"))
            return .respond(
                HTTPResponse(
                    status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: GatewayEventFile.v2(
                        path: "/api/v1/purchase/webhook", body: update, sourceIP: "149.154.167.220",
                        headers: ["X-Telegram-Bot-Api-Secret-Token": secret])))
        default:
            return reply(404, "Not Found")
        }
    }

    /// A `StarTransaction`: in from the buyer (with the invoice payload), or out to them (a refund).
    private static func transaction(
        _ id: String, amount: Int64, user: Int64, out: Bool, payload: String? = nil
    ) -> [String: Any] {
        var partner: [String: Any] = ["type": "user", "user": ["id": user, "is_bot": false, "first_name": "Test"]]
        if let payload { partner["invoice_payload"] = payload }
        return [
            "id": id, "amount": amount, "date": Int(Date().timeIntervalSince1970), out ? "receiver" : "source": partner,
        ]
    }

    /// The Stars a charge was for (under the lock).
    private func amountOf(_ chargeID: String) -> Int64 {
        transactions.first { $0["id"] as? String == chargeID && $0["source"] != nil }?["amount"] as? Int64 ?? 0
    }

    private func send(_ update: [UInt8], to url: String, secret: String) -> OutboundResponse? {
        try? CurlHTTPClient().send(
            OutboundRequest(
                method: "POST", url: url,
                headers: HTTPHeaders([
                    ("Content-Type", "application/json"), ("X-Telegram-Bot-Api-Secret-Token", secret),
                ]), body: update, timeoutMilliseconds: 10_000))
    }

    private func reply(_ status: Int, _ description: String) -> ServerAction {
        JSONAnswer.ok(["ok": false, "error_code": status, "description": description], status: status)
    }
}
