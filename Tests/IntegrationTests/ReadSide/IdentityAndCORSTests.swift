import Core
import Foundation
import Testing

/// Where the caller's identity may come from and where it may not, and the CORS answers of the
/// browser-facing functions.
@Suite struct IdentityAndCORSTests {
    static let origin = "https://shop.example"

    @Test func theTrustedHeaderIsBelievedOnlyFromCGIAndOnlyWhenNamed() throws {
        let world = try World()
        _ = try world.createBooking("apt-id", caller: "alice")
        let history = "/api/v1/payments/history"
        let named = try world.read("payment-history", history, via: .cgi, headers: ["X-User-Id": "alice"])
        #expect(named.status == 200 && named.json["total"] as? Int == 1)
        let unnamed = try world.read(
            "payment-history", history, via: .cgi, headers: ["X-User-Id": "alice"],
            environment: ["TRUSTED_USER_HEADER": ""])
        #expect(unnamed.status == 401, "without TRUSTED_USER_HEADER the header is the client's")
        for gateway in [Gateway.v1, .v2] {
            let spoofed = try world.read(
                "payment-history", history, via: gateway, headers: ["X-User-Id": "alice"],
                environment: ["TRUSTED_USER_HEADER": "X-User-Id"])
            #expect(spoofed.status == 401, "\(gateway): on API Gateway every header is the client's")
        }
        let empty = try world.read("payment-history", history, via: .cgi, headers: ["X-User-Id": ""])
        #expect(empty.status == 401, "an empty header is an anonymous caller")
    }

    @Test(arguments: Gateway.allCases)
    func anIdentityTheStoreCannotKeepIsRefusedNotShortened(_ gateway: Gateway) throws {
        let world = try World()
        for subject in [String(repeating: "a", count: 129), "alice smith", "alice\u{7f}"] {
            let answer = try world.read("payment-history", "/api/v1/payments/history", caller: subject, via: gateway)
            #expect(answer.status == 401 && answer.errorCode == "invalid_identity", "\(subject.prefix(12))")
        }
        let longest = String(repeating: "a", count: 128)
        #expect(
            try world.read("payment-history", "/api/v1/payments/history", caller: longest, via: gateway).status == 200)
    }

    @Test func aMisconfiguredIdentityHeaderIsReportedByName() throws {
        let world = try World()
        let answer = try world.read(
            "payment-history", "/api/v1/payments/history", via: .cgi, environment: ["TRUSTED_USER_HEADER": "X User"])
        #expect(answer.status == 500 && answer.errorCode == "configuration_error")
        #expect(answer.body.contains("TRUSTED_USER_HEADER"))
    }

    @Test(arguments: Gateway.allCases)
    func aPreflightFromAnAllowedOriginIsAnswered(_ gateway: Gateway) throws {
        let world = try World(["CORS_ALLOWED_ORIGINS": "https://admin.example, \(Self.origin)"])
        let routes = [
            ("get-payment", "/api/v1/payments/\(UUID().uuidString.lowercased())", "GET"),
            ("payment-history", "/api/v1/payments/history", "GET"), ("get-purchase", "/api/v1/purchase/x", "GET"),
            ("plans", "/plans", "GET"), ("create-intent", "/api/public/payments", "POST"),
            ("stars-invoice", "/api/v1/purchase/invoice", "POST"), ("stars-purchase", "/api/v1/purchase", "POST"),
        ]
        for (function, path, method) in routes {
            let answer = try world.read(
                function, path, via: gateway, method: "OPTIONS",
                headers: ["Origin": Self.origin, "Access-Control-Request-Method": method])
            #expect(answer.status == 204, "\(function): \(answer.body)")
            #expect(answer.headers["access-control-allow-origin"] == Self.origin, "\(function)")
            #expect(answer.headers["access-control-allow-methods"] == "\(method), OPTIONS")
            #expect(answer.headers["access-control-allow-headers"] == "Content-Type, Authorization, Idempotency-Key")
            #expect(answer.headers["access-control-max-age"] == "600")
            #expect(answer.headers["vary"] == "Origin")
            #expect(answer.body.isEmpty)
        }
    }

    @Test(arguments: Gateway.allCases)
    func anOriginNotAllowedGetsNoCORSHeaders(_ gateway: Gateway) throws {
        let world = try World(["CORS_ALLOWED_ORIGINS": Self.origin])
        for origin in ["https://evil.example", "https://shop.example.evil.example", "http://shop.example", "null"] {
            for method in ["OPTIONS", "GET"] {
                let answer = try world.read(
                    "plans", "/plans", via: gateway, method: method, headers: ["Origin": origin])
                #expect(answer.status == (method == "OPTIONS" ? 204 : 200))
                #expect(
                    !answer.headers.keys.contains { $0.hasPrefix("access-control-") }, "\(origin) \(method)")
                #expect(answer.headers["vary"] == "Origin")
            }
        }
        let unset = try World()
        let answer = try unset.read("plans", "/plans", via: gateway, headers: ["Origin": Self.origin])
        #expect(answer.headers["access-control-allow-origin"] == nil, "no origin is allowed unless configured")
    }

    @Test(arguments: Gateway.allCases)
    func actualAnswersAndErrorsCarryTheOriginSoThePageCanReadThem(_ gateway: Gateway) throws {
        let world = try World(["CORS_ALLOWED_ORIGINS": Self.origin])
        let plans = try world.read("plans", "/plans", via: gateway, headers: ["Origin": Self.origin])
        #expect(plans.headers["access-control-allow-origin"] == Self.origin)
        #expect(plans.headers["access-control-expose-headers"] == "X-Request-Id, Idempotent-Replayed, Retry-After")
        let refused = try world.read(
            "payment-history", "/api/v1/payments/history", via: gateway, headers: ["Origin": Self.origin])
        #expect(refused.status == 401 && refused.headers["access-control-allow-origin"] == Self.origin)
        let wrongMethod = try world.read(
            "get-payment", "/api/v1/payments/x", via: gateway, method: "DELETE", headers: ["Origin": Self.origin])
        #expect(wrongMethod.status == 405 && wrongMethod.headers["access-control-allow-origin"] == Self.origin)

        let any = try World(["CORS_ALLOWED_ORIGINS": "*"])
        let anyOrigin = try any.read("plans", "/plans", via: gateway, headers: ["Origin": "https://anyone.example"])
        #expect(anyOrigin.headers["access-control-allow-origin"] == "*")
    }

    @Test(arguments: Gateway.allCases)
    func webhookRoutesNeverAnswerCORS(_ gateway: Gateway) throws {
        let world = try World(["CORS_ALLOWED_ORIGINS": "*"])
        for (function, path) in [
            ("stripe-webhook", "/api/webhooks/stripe"), ("yookassa-webhook", "/api/webhooks/yookassa"),
            ("stars-webhook", "/api/v1/purchase/webhook"), ("health", "/health"),
        ] {
            let preflight = try world.read(
                function, path, via: gateway, method: "OPTIONS",
                headers: ["Origin": Self.origin, "Access-Control-Request-Method": "POST"])
            #expect(preflight.status == 405, "\(function)")
            #expect(!preflight.headers.keys.contains { $0.hasPrefix("access-control-") }, "\(function)")
        }
    }

    @Test func aMalformedOriginListBreaksTheBrowserRoutesOnlyAndSaysWhich() throws {
        let world = try World(["CORS_ALLOWED_ORIGINS": "https://shop.example/checkout"])
        let plans = try world.read("plans", "/plans", headers: ["Origin": Self.origin])
        #expect(plans.status == 500 && plans.errorCode == "configuration_error")
        #expect(plans.body.contains("CORS_ALLOWED_ORIGINS"))
        let notification = #"""
            {"type":"notification","event":"payment.succeeded",
             "object":{"id":"unknown-1","status":"succeeded","amount":{"value":"1.00","currency":"RUB"}}}
            """#
        let webhook = try world.notify(Array(notification.utf8), environment: ["YOOKASSA_WEBHOOK_VERIFY": "ip"])
        #expect(webhook.statusCode == 202, "webhooks do not depend on the browser settings: \(webhook.body)")
    }
}
