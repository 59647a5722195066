import Core
import Foundation
import Glibc
import Testing

/// Every endpoint through a real nginx + fcgiwrap (started by scripts/test with scripts/gateway),
/// with the stand-ins that gateway runs and the database it uses.
@Suite(.serialized) struct GatewayTests {
    struct Gateway {
        let url: String
        let environment: [String: String]

        init() throws {
            let process = ProcessInfo.processInfo.environment
            url = try #require(
                process["PAYFN_GATEWAY_URL"], "PAYFN_GATEWAY_URL is not set: run the tests with scripts/test")
            let dir = try #require(process["PAYFN_GATEWAY_DIR"])
            var values: [String: String] = [:]
            for line in try String(contentsOfFile: dir + "/functions.env", encoding: .utf8).split(separator: "\n") {
                for assignment in line.replacingOccurrences(of: "export ", with: "").split(separator: " ") {
                    let pair = assignment.split(separator: "=", maxSplits: 1).map {
                        $0.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                    }
                    if pair.count == 2 { values[pair[0]] = pair[1] }
                }
            }
            environment = values
        }

        func post(
            _ path: String, _ body: [UInt8], headers: [(String, String)] = [("Content-Type", "application/json")]
        ) throws -> OutboundResponse {
            try CurlHTTPClient().send(
                OutboundRequest(
                    method: "POST", url: url + path, headers: HTTPHeaders(headers), body: body,
                    timeoutMilliseconds: 20_000))
        }

        func post(_ path: String, json: String, headers: [(String, String)] = []) throws -> OutboundResponse {
            try post(path, Array(json.utf8), headers: [("Content-Type", "application/json")] + headers)
        }

        /// A control call to a stand-in the gateway runs.
        func control(_ base: String, _ path: String) throws -> [String: Any] {
            let response = try CurlHTTPClient().send(
                OutboundRequest(
                    method: "POST", url: try #require(environment[base]) + path, timeoutMilliseconds: 20_000))
            return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        }

        func rawControl(_ base: String, _ path: String) throws -> [UInt8] {
            try CurlHTTPClient().send(
                OutboundRequest(
                    method: "POST", url: try #require(environment[base]) + path, timeoutMilliseconds: 20_000)
            ).body
        }

        func value(_ sql: String, _ parameters: [(any SQLParameter)?] = []) throws -> String? {
            try PGConnection(url: try #require(environment["DATABASE_URL"])).query(sql, parameters).first?.string(
                "value")
        }
    }

    static func json(_ response: OutboundResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    static func errorCode(_ response: OutboundResponse) -> String? {
        (json(response)["error"] as? [String: Any])?["code"] as? String
    }

    @Test func createIntentAndItsReplay() throws {
        let gateway = try Gateway()
        let key = UUID().uuidString
        let body = #"{"appointment_id":"gw-\#(key.prefix(8))","service_slug":"haircut","kind":"full"}"#
        let first = try gateway.post("/api/public/payments", json: body, headers: [("Idempotency-Key", key)])
        #expect(first.status == 201, "\(String(decoding: first.body, as: UTF8.self))")
        #expect(first.headers["X-Request-Id"]?.isEmpty == false)
        let second = try gateway.post("/api/public/payments", json: body, headers: [("Idempotency-Key", key)])
        #expect(second.status == 201)
        #expect(second.body == first.body)
        #expect(second.headers["Idempotent-Replayed"] == "true")
        let id = try #require(Self.json(first)["payment_id"] as? String)
        #expect(
            try gateway.value("SELECT amount_minor::text AS value FROM payments WHERE id = $1::uuid", [id]) == "250000")
    }

    @Test func yooKassaNotificationFromAnAllowedAndARefusedAddress() throws {
        let gateway = try Gateway()
        let created = try gateway.post(
            "/api/public/payments", json: #"{"plan_id":"family","user_id":"gw-\#(UUID().uuidString.prefix(8))"}"#)
        let local = try #require(Self.json(created)["payment_id"] as? String)
        let provider = try #require(
            try gateway.value("SELECT provider_payment_id AS value FROM payments WHERE id = $1::uuid", [local]))
        let notification = try gateway.rawControl("YOOKASSA_API_URL", "/_control/payments/\(provider)/succeed")
        let refused = try gateway.post(
            "/api/webhooks/yookassa", notification,
            headers: [("Content-Type", "application/json"), ("X-Forwarded-For", "203.0.113.9")])
        #expect(refused.status == 403)
        #expect(Self.errorCode(refused) == "untrusted_source")
        let allowed = try gateway.post(
            "/api/webhooks/yookassa", notification,
            headers: [("Content-Type", "application/json"), ("X-Forwarded-For", "185.71.76.5")])
        #expect(allowed.status == 200)
        #expect(Self.json(allowed)["outcome"] as? String == "processed")
        #expect(try gateway.value("SELECT status AS value FROM payments WHERE id = $1::uuid", [local]) == "succeeded")
        #expect(
            try gateway.value(
                "SELECT count(*)::text AS value FROM events WHERE type = 'subscription_paid' AND aggregate_id = $1",
                [local]) == "1")
    }

    @Test func signedStripeDeliveryAndAForgedOne() throws {
        let gateway = try Gateway()
        let deal = "gw_deal_\(UUID().uuidString.prefix(8))"
        let target = "deliver_to=" + PercentEncoding.component(gateway.url + "/api/webhooks/stripe")
        let delivered = try gateway.control(
            "STRIPE_API_URL", "/_control/events?type=checkout.session.completed&deal_id=\(deal)&\(target)")
        #expect(
            delivered["delivered_status"] as? Int == 200,
            "the raw body reached the function untouched, or the signature would fail")
        #expect(
            try gateway.value(
                "SELECT count(*)::text AS value FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' = $1",
                [deal]) == "1")
        let forged = try gateway.control(
            "STRIPE_API_URL",
            "/_control/events?type=payment_intent.succeeded&deal_id=\(deal)&secret=whsec_forged&\(target)")
        #expect(forged["delivered_status"] as? Int == 400)
    }

    @Test func starsInvoiceAndABuyerPayingThroughTelegram() throws {
        let gateway = try Gateway()
        let user = Int.random(in: 100_000...999_999)
        let invoice = try gateway.post("/api/v1/purchase/invoice", json: #"{"user_id":\#(user),"item_id":"hint-pack"}"#)
        #expect(invoice.status == 201)
        let purchase = try #require(Self.json(invoice)["purchase_id"] as? String)
        let target = PercentEncoding.component(gateway.url + "/api/v1/purchase/webhook")
        let bought = try gateway.control(
            "TELEGRAM_API_URL", "/_control/buy?purchase_id=\(purchase)&user_id=\(user)&amount=50&deliver_to=\(target)")
        #expect(bought["pre_checkout_ok"] as? Bool == true)
        #expect(bought["payment_status"] as? Int == 200)
        #expect(try gateway.value("SELECT status AS value FROM purchases WHERE id = $1", [purchase]) == "succeeded")
        let stranger = try gateway.post(
            "/api/v1/purchase/webhook", json: #"{"update_id":1}"#,
            headers: [("X-Telegram-Bot-Api-Secret-Token", "guess")])
        #expect(stranger.status == 403)
        let mock = try gateway.post("/api/v1/purchase", json: #"{"user_id":\#(user),"purchase_id":"\#(purchase)"}"#)
        #expect(mock.status == 200)
        #expect(Self.json(mock)["status"] as? String == "succeeded")
    }

    @Test func oversizedBodiesGetJSON413FromTheFunctionAndFromNginx() throws {
        let gateway = try Gateway()
        let functionLimit = try gateway.post(
            "/api/public/payments", Array(repeating: UInt8(ascii: "a"), count: 1_500_000))
        #expect(functionLimit.status == 413)
        #expect(Self.errorCode(functionLimit) == "payload_too_large")
        let nginxLimit = try gateway.post("/api/public/payments", Array(repeating: UInt8(ascii: "a"), count: 3_000_000))
        #expect(nginxLimit.status == 413)
        #expect(Self.errorCode(nginxLimit) == "payload_too_large")
    }

    @Test func unknownPathsAndMethods() throws {
        let gateway = try Gateway()
        let missing = try gateway.post("/api/nothing", json: "{}")
        #expect(missing.status == 404)
        #expect(Self.errorCode(missing) == "not_found")
        let get = try CurlHTTPClient().send(
            OutboundRequest(method: "GET", url: gateway.url + "/api/v1/purchase/invoice", timeoutMilliseconds: 10_000))
        #expect(get.status == 405)
        #expect(get.headers["Allow"] == "POST")
        let malformed = try gateway.post("/api/webhooks/stripe", json: "{")
        #expect(malformed.status == 400)
        let requestID = (Self.json(malformed)["error"] as? [String: Any])?["request_id"] as? String
        #expect(
            requestID != nil && requestID == malformed.headers["X-Request-Id"],
            "the id in the body is the one in the header")
    }

    /// One raw HTTP/1.1 answer: status, headers with lower-case names, body.
    struct RawAnswer {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
    }

    /// `count` connections opened first, then one request written on each in a tight loop, so
    /// nginx sees them arrive within a few milliseconds; returns every answer.
    static func burst(_ count: Int, port: UInt16, request: String) throws -> [RawAnswer] {
        var sockets: [Int32] = []
        defer { sockets.forEach { _ = close($0) } }
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in(
                sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0)
            var limit = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            sockets.append(fd)
        }
        let bytes = Array(request.utf8)
        for fd in sockets { #expect(send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count) }
        return try sockets.map { fd in
            var response: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while case let got = read(fd, &chunk, chunk.count), got > 0 { response += chunk[0..<got] }
            let text = String(decoding: response, as: UTF8.self)
            let head = try #require(text.range(of: "\r\n\r\n"), "a whole answer: \(text)")
            let lines = text[..<head.lowerBound].split(separator: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            return RawAnswer(status: status, headers: headers, body: Array(text[head.upperBound...].utf8))
        }
    }

    @Test func aBurstFromOneAddressIsAnswered429InJSONWithRetryAfter() throws {
        let gateway = try Gateway()
        let port = try #require(URL(string: gateway.url)?.port.flatMap { UInt16(exactly: $0) })
        let answers = try Self.burst(
            200, port: port,
            request: "POST /api/v1/purchase HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        let limited = answers.filter { $0.status == 429 }
        #expect(limited.count > 0, "statuses: \(Set(answers.map(\.status)))")
        #expect(
            answers.allSatisfy { $0.status == 429 || (400..<500).contains($0.status) }, "the rest reached the function")
        for answer in limited {
            #expect(answer.headers["retry-after"] == "1")
            #expect(answer.headers["content-type"] == "application/json")
            let error = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: [String: String]]
            #expect(error?["error"]?["code"] == "rate_limited")
            #expect(error?["error"]?["request_id"]?.count == 32)
        }
    }
}
