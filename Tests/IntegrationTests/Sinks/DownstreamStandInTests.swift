import Core
import Foundation
import StandIns
import Testing

@Suite struct DownstreamStandInTests {
    static let event = #"{"type":"subscription.updated","timestamp":"2026-12-02T01:00:00Z","data":{"user_id":"u_1"}}"#

    @Test func signedDeliveriesVerifyAndAreRecorded() throws {
        let downstream = try Downstream()
        let headers = try Downstream.signed(Self.event, id: "msg_ok1")
        #expect(try downstream.send("/hooks/orders", body: Self.event, headers: headers).status == 204)
        let received = try #require(downstream.standIn.receivedWebhooks.first)
        #expect(received.receiver == "orders")
        #expect(received.id == "msg_ok1")
        #expect(received.timestamp.map(String.init) == headers[StandardWebhooks.timestampHeader])
        #expect(received.type == "subscription.updated")
        #expect(received.body == Array(Self.event.utf8))
        #expect(received.verified && received.status == 204)
        #expect(abs(received.arrivedAt.timeIntervalSinceNow) < 10)
    }

    @Test func unverifiedDeliveriesAreRefusedAndRecorded() throws {
        let downstream = try Downstream()
        let other = "whsec_YSBzZWNyZXQgbm9ib2R5IGNvbmZpZ3VyZWQgaGVyZSE="
        var unknownVersion = try Downstream.signed(Self.event)
        unknownVersion.set(
            StandardWebhooks.signatureHeader,
            (unknownVersion[StandardWebhooks.signatureHeader] ?? "").replacingOccurrences(of: "v1,", with: "v2,"))
        let cases: [(HTTPHeaders, StandardWebhookVerifier.Failure)] = [
            (HTTPHeaders(), .missingHeaders),
            (try Downstream.signed(Self.event, secrets: [other]), .noMatchingSignature),
            (try Downstream.signed(Self.event, age: 301), .timestampTooOld),
            (try Downstream.signed(Self.event, age: -301), .timestampTooNew),
            (unknownVersion, .noMatchingSignature),
        ]
        for (headers, failure) in cases {
            let answer = try downstream.send("/hooks/orders", body: Self.event, headers: headers)
            #expect(answer.status == 401)
            #expect(String(decoding: answer.body, as: UTF8.self).contains(failure.code))
        }
        #expect(downstream.standIn.receivedWebhooks.map(\.failure) == cases.map(\.1))
        #expect(downstream.standIn.receivedWebhooks.allSatisfy { !$0.verified && $0.status == 401 })
        let tampered = try Downstream.signed(Self.event)
        #expect(try downstream.send("/hooks/orders", body: Self.event + " ", headers: tampered).status == 401)
    }

    @Test func anyV1SignatureMaySkipOthersAndMatch() throws {
        let downstream = try Downstream()
        var headers = try Downstream.signed(Self.event)
        let good = headers[StandardWebhooks.signatureHeader] ?? ""
        headers.set(StandardWebhooks.signatureHeader, "v1a,AAAA v1,not-base64! nonsense v1,AAAA " + good)
        #expect(try downstream.send("/hooks/orders", body: Self.event, headers: headers).status == 204)
    }

    @Test func receiversCanHaveSecretsOfTheirOwn() throws {
        let old = "whsec_b2xkIHN0YW5kYXJkIHdlYmhvb2sga2V5"
        let new = "whsec_bmV3IHN0YW5kYXJkIHdlYmhvb2sgc2lnbmluZyBrZXk="
        let downstream = try Downstream(receiverSecrets: ["rotating": [old]])
        let rotation = try Downstream.signed(Self.event, secrets: [new, old])
        #expect(try downstream.send("/hooks/rotating", body: Self.event, headers: rotation).status == 204)
        #expect(try downstream.send("/hooks/other", body: Self.event, headers: rotation).status == 401)
        let standard = try Downstream.signed(Self.event)
        #expect(try downstream.send("/hooks/rotating", body: Self.event, headers: standard).status == 401)
        #expect(try downstream.send("/hooks/other", body: Self.event, headers: standard).status == 204)
        #expect(throws: StandardWebhookSecret.Failure.missingPrefix) {
            try DownstreamStandIn(receiverSecrets: ["bad": ["plain-text"]])
        }
    }

    @Test func userServiceRecordsSubscriptionCalls() throws {
        let downstream = try Downstream()
        let body = #"{"plan":"pro","active":true}"#
        let answer = try downstream.send(
            "/api/v1/users/u%2042/subscription", body: body,
            headers: HTTPHeaders([("Authorization", "Bearer svc-token"), ("Idempotency-Key", "sub-1")]))
        #expect(answer.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String])
        #expect(json == ["user_id": "u 42", "subscription": "updated"])
        #expect(try downstream.send("/api/v1/users/u1/subscription", body: "not json").status == 400)
        let calls = downstream.standIn.subscriptionCalls
        #expect(calls.map(\.userID) == ["u 42", "u1"])
        #expect(calls.map(\.status) == [200, 400])
        #expect(calls[0].body == Array(body.utf8))
        #expect(calls[0].authorization == "Bearer svc-token" && calls[0].idempotencyKey == "sub-1")
        #expect(calls[1].authorization == nil && calls[1].idempotencyKey == nil)
        #expect(try downstream.send("/api/v1/users/u1/subscription", method: "GET").status == 405)
        #expect(try downstream.send("/api/v1/users/u1/other", body: body).status == 404)
    }

    @Test func faultsApplyByPathPrefixForSomeRequestsOrAlways() throws {
        let downstream = try Downstream()
        let standIn = downstream.standIn
        func status(_ path: String) throws -> Int {
            try downstream.send(path, body: Self.event, headers: try Downstream.signed(Self.event)).status
        }
        standIn.setFault(DownstreamFault(status: 429, retryAfter: "3", span: .next(2)), on: "/hooks/a")
        let throttled = try downstream.send("/hooks/a", body: Self.event, headers: try Downstream.signed(Self.event))
        #expect(throttled.status == 429 && throttled.headers["Retry-After"] == "3")
        #expect(try status("/hooks/ab") == 204, "prefixes match whole segments")
        #expect(try status("/hooks/a") == 429)
        #expect(try status("/hooks/a") == 204, "two requests, then normal again")

        standIn.setFault(DownstreamFault(status: 500), on: "/")
        standIn.setFault(DownstreamFault(status: 410), on: "/hooks/gone/")
        #expect(try status("/hooks/a") == 500)
        #expect(try status("/hooks/gone") == 410, "the longest prefix wins")
        #expect(try downstream.send("/api/v1/users/u1/subscription", body: "{}").status == 500)
        #expect(try status("/hooks/a") == 500, "always")
        standIn.clearFaults(on: "/")
        #expect(try status("/hooks/a") == 204)
        #expect(try status("/hooks/gone") == 410)
        standIn.clearFaults()
        #expect(try status("/hooks/gone") == 204)
        #expect(standIn.receivedWebhooks.map(\.status) == [429, 204, 429, 204, 500, 410, 500, 204, 410, 204])
        #expect(standIn.receivedWebhooks.allSatisfy { $0.verified }, "a fault answers, the delivery still verifies")
    }

    @Test func stallsDelayTheAnswerOrOutlastTheClient() throws {
        let downstream = try Downstream()
        downstream.standIn.setFault(DownstreamFault(stallMilliseconds: 300, span: .next(1)), on: "/hooks/slow")
        let start = Date()
        #expect(
            try downstream.send("/hooks/slow", body: Self.event, headers: try Downstream.signed(Self.event)).status
                == 204)
        #expect(Date().timeIntervalSince(start) >= 0.3)
        downstream.standIn.setFault(DownstreamFault(status: 503, stallMilliseconds: 2_000), on: "/hooks/slow")
        #expect(throws: TransportError.timedOut) {
            try downstream.send("/hooks/slow", body: Self.event, timeoutMilliseconds: 300)
        }
    }

    @Test func controlOverHTTPAndTheReceivedList() throws {
        let downstream = try Downstream()
        func control(_ query: String) throws -> Int { try downstream.send("/control/\(query)").status }
        #expect(try control("fault?prefix=/hooks/a&status=429&retry_after=7&times=1") == 200)
        let throttled = try downstream.send("/hooks/a", body: Self.event, headers: try Downstream.signed(Self.event))
        #expect(throttled.status == 429 && throttled.headers["Retry-After"] == "7")
        #expect(try control("fault?prefix=/&status=503") == 200)
        #expect(try downstream.send("/hooks/a", body: Self.event).status == 503)
        #expect(try control("normal?prefix=/") == 200)
        #expect(try control("fault?prefix=/hooks&stall_ms=1&times=1") == 200)
        #expect(try control("normal") == 200)
        for bad in [
            "fault?status=500", "fault?prefix=hooks&status=500", "fault?prefix=/&status=99",
            "fault?prefix=/&times=2", "fault?prefix=/&status=500&times=0", "fault?prefix=/&stall_ms=x",
        ] {
            #expect(try control(bad) == 400, "\(bad)")
        }
        #expect(try control("nothing") == 404)
        #expect(try downstream.send("/control/normal", method: "GET").status == 405)
        #expect(
            try downstream.send(
                "/api/v1/users/u7/subscription", body: "{}", headers: HTTPHeaders([("Idempotency-Key", "k7")])
            ).status == 200)

        let listed = try downstream.send("/received", method: "GET")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.body)) as? [[String: Any]])
        #expect(entries.map { $0["kind"] as? String } == ["webhook", "webhook", "subscription"])
        #expect(entries.map { $0["status"] as? Int } == [429, 503, 200])
        #expect(entries[0]["verified"] as? Bool == true && entries[0]["type"] as? String == "subscription.updated")
        #expect(entries[0]["body"] as? String == Self.event && entries[0]["receiver"] as? String == "a")
        #expect(entries[1]["failure"] as? String == "missing_headers")
        #expect(entries[2]["user_id"] as? String == "u7" && entries[2]["idempotency_key"] as? String == "k7")
        #expect(try control("forget") == 200)
        #expect(try downstream.send("/received", method: "GET").body == Array("[]".utf8))
        #expect(downstream.standIn.receivedWebhooks.isEmpty && downstream.standIn.subscriptionCalls.isEmpty)
    }

    @Test func oneConnectionCarriesManyRequests() throws {
        let downstream = try Downstream()
        func request(_ receiver: String, close: Bool = false) -> String {
            "POST /hooks/\(receiver) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n{}"
        }
        // Three requests in one write: the server keeps what it read past each for the next, and
        // closes after the one that asks it to.
        let answers = try GatewayTests.burst(
            1, port: UInt16(downstream.port), request: request("one") + request("two") + request("three", close: true))
        let first = try #require(answers.first)
        #expect(first.status == 401 && first.headers["connection"] == "keep-alive")
        let rest = String(decoding: first.body, as: UTF8.self)
        #expect(rest.components(separatedBy: "HTTP/1.1 401").count == 3, "two more answers: \(rest)")
        #expect(rest.components(separatedBy: "Connection: keep-alive").count == 2)
        #expect(rest.hasSuffix("Connection: close\r\n\r\n{\"error\":\"missing_headers\"}"))
        #expect(downstream.standIn.receivedWebhooks.map(\.receiver) == ["one", "two", "three"])
    }

    @Test func concurrentSendersReusingConnections() throws {
        let downstream = try Downstream()
        let url = downstream.baseURL + "/hooks/load"
        let results = concurrently(4) { _ in
            let client = CurlHTTPClient()
            var statuses: [Int] = []
            for _ in 0..<250 {
                let body = Array(Self.event.utf8)
                let headers = try StandardWebhooks.sign(
                    id: "msg_\(UUID().uuidString.prefix(12))", timestamp: Int64(Date().timeIntervalSince1970),
                    body: body, secrets: [try StandardWebhookSecret(DownstreamStandIn.defaultWebhookSecret)])
                let request = OutboundRequest(
                    method: "POST", url: url, headers: headers.fields, body: body, timeoutMilliseconds: 5_000)
                statuses.append(try client.send(request).status)
            }
            return statuses
        }
        #expect(try results.flatMap { try $0.get() }.allSatisfy { $0 == 204 })
        #expect(downstream.standIn.waitForWebhooks(1_000, seconds: 5))
        #expect(downstream.standIn.receivedWebhooks.count == 1_000)
    }
}
