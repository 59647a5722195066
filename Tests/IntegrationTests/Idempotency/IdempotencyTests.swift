import Core
import Foundation
import Synchronization
import Testing

@Suite struct IdempotencyTests {
    func store(_ url: String) throws -> IdempotencyStore { IdempotencyStore(connection: try PGConnection(url: url)) }

    @Test func fiftyConcurrentClaimsHaveExactlyOneWinner() throws {
        let url = try TestDatabase.fresh()
        let outcomes = concurrently(50) { _ in
            try IdempotencyStore(connection: PGConnection(url: url))
                .claim(scope: "create-intent", key: "k-50", fingerprint: "f", lease: 60, ttl: 3_600)
        }
        let values = try outcomes.map { try $0.get() }
        let winners = values.filter { if case .acquired = $0 { true } else { false } }
        #expect(winners.count == 1)
        #expect(
            values.allSatisfy { if case .acquired = $0 { true } else if case .inFlight = $0 { true } else { false } })
    }

    @Test func claimOutcomes() throws {
        let url = try TestDatabase.fresh()
        let keys = try store(url)
        guard case .acquired(let claim) = try keys.claim(scope: "s", key: "k", fingerprint: "f1", lease: 60, ttl: 3_600)
        else {
            Issue.record("first claim must win")
            return
        }
        #expect(!claim.tookOver)
        guard
            case .inFlight(let retryAfter) = try keys.claim(
                scope: "s", key: "k", fingerprint: "f1", lease: 60, ttl: 3_600)
        else {
            Issue.record("second claim must wait")
            return
        }
        #expect((55...60).contains(retryAfter))
        #expect(try keys.claim(scope: "s", key: "k", fingerprint: "f2", lease: 60, ttl: 3_600) == .mismatch)
        #expect(
            try keys.claim(scope: "other", key: "k", fingerprint: "f2", lease: 60, ttl: 3_600) != .mismatch,
            "scopes are apart")

        let response = HTTPResponse(
            status: 201, headers: HTTPHeaders([("Content-Type", "application/json")]), body: [0x7b, 0x00, 0xff, 0x7d])
        #expect(try keys.complete(claim, with: response))
        #expect(try keys.claim(scope: "s", key: "k", fingerprint: "f1", lease: 60, ttl: 3_600) == .replay(response))
    }

    @Test func staleClaimIsTakenOverAndTheOldOwnerCannotOverwrite() throws {
        let url = try TestDatabase.fresh()
        let keys = try store(url)
        guard case .acquired(let dead) = try keys.claim(scope: "s", key: "k", fingerprint: "f", lease: 60, ttl: 3_600)
        else {
            Issue.record("first claim must win")
            return
        }
        try PGConnection(url: url).query("UPDATE idempotency_keys SET locked_until = now() - interval '1 second'")
        #expect(
            try keys.claim(scope: "s", key: "k", fingerprint: "other", lease: 60, ttl: 3_600) == .mismatch,
            "a stale claim is only taken over by the same request")
        guard
            case .acquired(let successor) = try keys.claim(
                scope: "s", key: "k", fingerprint: "f", lease: 60, ttl: 3_600)
        else {
            Issue.record("stale claim must be taken over")
            return
        }
        #expect(successor.tookOver)
        #expect(try !keys.complete(dead, with: HTTPResponse(status: 200)), "the dead owner lost its claim")
        #expect(try keys.complete(successor, with: HTTPResponse(status: 201)))
    }

    @Test func expiredKeysAreReusedAndPurged() throws {
        let url = try TestDatabase.fresh()
        let keys = try store(url)
        for key in ["a", "b", "c"] {
            guard
                case .acquired(let claim) = try keys.claim(
                    scope: "s", key: key, fingerprint: "f", lease: 60, ttl: 3_600)
            else {
                Issue.record("claim must win")
                return
            }
            try keys.complete(claim, with: HTTPResponse(status: 200))
        }
        try PGConnection(url: url).query(
            "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key IN ('a', 'b')")
        #expect(try keys.expiredCount() == 2)
        guard
            case .acquired(let reused) = try keys.claim(scope: "s", key: "a", fingerprint: "new", lease: 60, ttl: 3_600)
        else {
            Issue.record("an expired key is free again")
            return
        }
        #expect(reused.tookOver)
        #expect(try keys.purgeExpired(batchSize: 1) == 1)
        #expect(try keys.expiredCount() == 0)
        let left = try PGConnection(url: url).query("SELECT key FROM idempotency_keys ORDER BY key").rows.map {
            try $0.requiredString("key")
        }
        #expect(left == ["a", "c"])
    }

    // MARK: Through a function

    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1
                return $0
            }
        }
        var count: Int { value.withLock { $0 } }
    }

    func makeHandler(
        _ counter: Counter, status: @escaping @Sendable (Int) -> Int = { _ in 201 }
    ) -> @Sendable (FunctionContext) throws -> any Handler {
        { context in
            try IdempotentHandler(
                wrapping: ClosureHandler { _, _ in
                    let run = counter.next()
                    return .json(status(run), ["run": String(run), "nonce": UUID().uuidString])
                }, context: context)
        }
    }

    @Test func replayIsByteIdenticalAndMarked() throws {
        let url = try TestDatabase.fresh()
        let counter = Counter()
        let request = {
            Invocation.v2(
                body: #"{"plan_id":"basic"}"#, headers: ["Idempotency-Key": "key-1"], environment: ["DATABASE_URL": url]
            )
        }
        let first = try request().run(makeHandler: makeHandler(counter))
        let second = try request().run(makeHandler: makeHandler(counter))
        #expect(first.statusCode == 201)
        #expect(second.statusCode == 201)
        #expect(second.body == first.body)
        #expect(second.headers["Idempotent-Replayed"] == "true")
        #expect(first.headers["Idempotent-Replayed"] == nil)
        #expect(counter.count == 1)

        let different = try Invocation.v2(
            body: #"{"plan_id":"premium"}"#, headers: ["Idempotency-Key": "key-1"], environment: ["DATABASE_URL": url]
        )
        .run(makeHandler: makeHandler(counter))
        #expect(different.statusCode == 422)
        #expect(different.errorCode == "idempotency_key_reused")
        #expect(counter.count == 1)
    }

    @Test func keyInTheBodyCounts() throws {
        let url = try TestDatabase.fresh()
        let counter = Counter()
        let body = #"{"plan_id":"basic","idempotency_key":"body-key"}"#
        for _ in 0..<3 {
            _ = try Invocation.v2(body: body, environment: ["DATABASE_URL": url]).run(makeHandler: makeHandler(counter))
        }
        #expect(counter.count == 1)
        let bad = try Invocation.v2(
            body: "{}", headers: ["Idempotency-Key": "has space"], environment: ["DATABASE_URL": url]
        )
        .run(makeHandler: makeHandler(counter))
        #expect(bad.statusCode == 400)
        #expect(bad.errorCode == "invalid_idempotency_key")
    }

    @Test func inFlightRequestGets409WithRetryAfter() throws {
        let url = try TestDatabase.fresh()
        let body = #"{"plan_id":"basic"}"#
        let fingerprint = Crypto.sha256(Array("POST /test\n".utf8) + Array(body.utf8)).hexString
        _ = try store(url).claim(scope: "test-function", key: "busy", fingerprint: fingerprint, lease: 30, ttl: 3_600)
        let counter = Counter()
        let answer = try Invocation.v2(
            body: body, headers: ["Idempotency-Key": "busy"], environment: ["DATABASE_URL": url]
        )
        .run(makeHandler: makeHandler(counter))
        #expect(answer.statusCode == 409)
        #expect(answer.errorCode == "request_in_progress")
        #expect(Int(answer.headers["Retry-After"] ?? "") != nil)
        #expect(counter.count == 0)
    }

    @Test func serverErrorsReleaseTheKeySoARetryRuns() throws {
        let url = try TestDatabase.fresh()
        let counter = Counter()
        let flaky = makeHandler(counter) { run in run == 1 ? 503 : 201 }
        let request = {
            Invocation.v2(body: "{}", headers: ["Idempotency-Key": "retry-me"], environment: ["DATABASE_URL": url])
        }
        #expect(try request().run(makeHandler: flaky).statusCode == 503)
        #expect(try request().run(makeHandler: flaky).statusCode == 201)
        #expect(try request().run(makeHandler: flaky).headers["Idempotent-Replayed"] == "true")
        #expect(counter.count == 2)
    }

    @Test func twentyConcurrentRequestsRunTheHandlerOnce() throws {
        let url = try TestDatabase.fresh()
        let counter = Counter()
        let handler = makeHandler(counter)
        let answers = concurrently(20) { _ in
            try Invocation.v2(body: "{}", headers: ["Idempotency-Key": "together"], environment: ["DATABASE_URL": url])
                .run(makeHandler: handler)
        }
        let statuses = try answers.map { try $0.get().statusCode }
        #expect(counter.count == 1)
        #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 })
        #expect(statuses.filter { $0 == 201 }.count >= 1)
    }
}
