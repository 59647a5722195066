import Core
import Foundation
import Testing

/// The read side through the real nginx: identity from the identity stand-in by `auth_request`,
/// a client's own `X-User-Id` dropped, CORS answered, health and plans routed.
@Suite(.serialized) struct GatewayReadTests {
    typealias Gateway = GatewayTests.Gateway

    static func send(
        _ gateway: Gateway, _ method: HTTPMethod, _ path: String, json: String? = nil, headers: [(String, String)] = []
    ) throws -> OutboundResponse {
        let type: [(String, String)] = json == nil ? [] : [("Content-Type", "application/json")]
        return try CurlHTTPClient().send(
            OutboundRequest(
                method: method, url: gateway.url + path, headers: HTTPHeaders(type + headers),
                body: Array((json ?? "").utf8), timeoutMilliseconds: 20_000))
    }

    /// A bearer token the identity stand-in maps to `user`.
    static func token(_ gateway: Gateway, for user: String) throws -> (String, String) {
        let issued = try gateway.control("IDENTITY_URL", "/control/tokens?user_id=\(user)")
        return ("Authorization", "Bearer \(try #require(issued["token"] as? String))")
    }

    @Test func aSignedInCallersPaymentIsTheirsAloneEvenAgainstASpoofedHeader() throws {
        let gateway = try Gateway()
        let user = "gw-\(UUID().uuidString.prefix(8))"
        let token = try Self.token(gateway, for: user)
        let created = try Self.send(
            gateway, "POST", "/api/public/payments",
            json: #"{"appointment_id":"\#(user)-apt","service_slug":"haircut","kind":"deposit"}"#, headers: [token])
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let id = try #require(GatewayTests.json(created)["payment_id"] as? String)
        #expect(try gateway.value("SELECT owner_id AS value FROM payments WHERE id = $1::uuid", [id]) == user)

        let path = "/api/v1/payments/\(id)"
        let own = try Self.send(gateway, "GET", path, headers: [token])
        #expect(own.status == 200 && GatewayTests.json(own)["status"] as? String == "pending")
        #expect(try Self.send(gateway, "GET", path).status == 404)
        let spoofed = try Self.send(gateway, "GET", path, headers: [("X-User-Id", user)])
        #expect(spoofed.status == 404, "a client's X-User-Id never reaches the function")
        let spoofedHistory = try Self.send(gateway, "GET", "/api/v1/payments/history", headers: [("X-User-Id", user)])
        #expect(spoofedHistory.status == 401 && GatewayTests.errorCode(spoofedHistory) == "unauthenticated")

        let history = try Self.send(gateway, "GET", "/api/v1/payments/history?page=1&page_size=5", headers: [token])
        #expect(history.status == 200)
        let items = try #require(GatewayTests.json(history)["items"] as? [[String: Any]])
        #expect(items.map { $0["payment_id"] as? String } == [id])

        let other = try Self.token(gateway, for: user + "-other")
        #expect(try Self.send(gateway, "GET", path, headers: [other]).status == 404)
        let mismatch = try Self.send(
            gateway, "POST", "/api/public/payments", json: #"{"plan_id":"basic","user_id":"someone-else"}"#,
            headers: [token])
        #expect(mismatch.status == 403 && GatewayTests.errorCode(mismatch) == "identity_mismatch")
    }

    @Test func credentialsTheIdentityServiceRefusesAre401InTheErrorShape() throws {
        let gateway = try Gateway()
        let refused = try Self.send(
            gateway, "GET", "/api/v1/payments/history", headers: [("Authorization", "Bearer forged-token")])
        #expect(refused.status == 401)
        #expect(GatewayTests.errorCode(refused) == "unauthenticated")
        #expect(refused.headers["WWW-Authenticate"] == "Bearer")
    }

    @Test func purchasesPlansAndHealthAreRouted() throws {
        let gateway = try Gateway()
        let user = String(Int.random(in: 100_000...999_999))
        let token = try Self.token(gateway, for: user)
        let invoice = try Self.send(
            gateway, "POST", "/api/v1/purchase/invoice", json: #"{"user_id":\#(user),"item_id":"hint-pack"}"#,
            headers: [token])
        #expect(invoice.status == 201)
        let purchase = try #require(GatewayTests.json(invoice)["purchase_id"] as? String)
        let own = try Self.send(gateway, "GET", "/api/v1/purchase/\(purchase)", headers: [token])
        #expect(own.status == 200 && GatewayTests.json(own)["status"] as? String == "pending")
        #expect(try Self.send(gateway, "GET", "/api/v1/purchase/\(purchase)").status == 404)

        let plans = try Self.send(gateway, "GET", "/plans")
        #expect(plans.status == 200 && (GatewayTests.json(plans)["plans"] as? [Any])?.count == 3)
        let health = try Self.send(gateway, "GET", "/health")
        #expect(health.status == 200, "\(String(decoding: health.body, as: UTF8.self))")
        #expect(GatewayTests.json(health)["schema_version"] as? Int == Migration.latestVersion)
    }

    @Test func browsersGetTheirPreflightAndWebhooksDoNot() throws {
        let gateway = try Gateway()
        let origin = "https://shop.example"
        let preflight = try Self.send(
            gateway, "OPTIONS", "/api/v1/payments/history",
            headers: [("Origin", origin), ("Access-Control-Request-Method", "GET")])
        #expect(preflight.status == 204, "a preflight carries no token and still passes the identity check")
        #expect(preflight.headers["Access-Control-Allow-Origin"] == origin)
        #expect(preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization, Idempotency-Key")
        let simple = try Self.send(gateway, "GET", "/plans", headers: [("Origin", origin)])
        #expect(simple.headers["Access-Control-Allow-Origin"] == origin && simple.headers["Vary"] == "Origin")
        let stranger = try Self.send(gateway, "GET", "/plans", headers: [("Origin", "https://evil.example")])
        #expect(stranger.headers["Access-Control-Allow-Origin"] == nil)
        let webhook = try Self.send(
            gateway, "OPTIONS", "/api/webhooks/stripe",
            headers: [("Origin", origin), ("Access-Control-Request-Method", "POST")])
        #expect(webhook.status == 405 && webhook.headers["Access-Control-Allow-Origin"] == nil)
    }
}
