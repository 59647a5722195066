import Core
import Foundation
import Logging
import Synchronization
import Testing

/// The one retry loop of the provider clients, and the policy it follows, without a network: a
/// client that answers from a script stands in for the provider.
@Suite struct RetryingCallTests {
    /// Answers each request with the next scripted result, and counts them.
    private final class ScriptedHTTP: HTTPClient, Sendable {
        private let script: Mutex<[Result<OutboundResponse, TransportError>]>
        private let sent = Mutex<[Int]>([])

        init(_ script: [Result<OutboundResponse, TransportError>]) { self.script = Mutex(script) }

        /// The timeout each request was sent with, in order.
        var timeouts: [Int] { sent.withLock { $0 } }

        func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
            sent.withLock { $0.append(request.timeoutMilliseconds) }
            let next = script.withLock { $0.isEmpty ? .failure(.connectionFailed("script spent")) : $0.removeFirst() }
            return try next.get()
        }
    }

    private enum Failure: Error, Equatable {
        case busy(Int)
        case refused(Int)
        case transport
    }

    private static func answer(_ status: Int) -> Result<OutboundResponse, TransportError> {
        .success(OutboundResponse(status: status, headers: HTTPHeaders(), body: Array("\(status)".utf8)))
    }

    private static let logger = Logger(label: "retrying-call-tests")

    private func run(
        _ http: ScriptedHTTP, policy: RetryPolicy = RetryPolicy(budgetMilliseconds: 2_000, baseDelayMilliseconds: 10),
        after: Int? = nil
    ) throws(Failure) -> String {
        let call = RetryingCall<Failure>(provider: "Test", call: "GET /thing", policy: policy, http: http)
        return try call.run(
            { timeout in OutboundRequest(method: "GET", url: "http://127.0.0.1:9/thing", timeoutMilliseconds: timeout)
            },
            logger: Self.logger,
            classify: { response in
                switch response.status {
                case 200: .done(String(decoding: response.body, as: UTF8.self))
                case 429, 500...599: .retry(.busy(response.status), after: after)
                default: .fail(.refused(response.status))
                }
            }, transport: { _ in .transport })
    }

    @Test func retriesUntilTheAnswerComes() throws {
        let http = ScriptedHTTP([Self.answer(503), .failure(.timedOut), Self.answer(429), Self.answer(200)])
        #expect(try run(http) == "200")
        #expect(http.timeouts.count == 4, "the same request, four times")
    }

    @Test func aRefusalIsNeverRetried() {
        let http = ScriptedHTTP([Self.answer(400), Self.answer(200)])
        #expect(throws: Failure.refused(400)) { try run(http) }
        #expect(http.timeouts.count == 1)
    }

    @Test func theBudgetEndsItWithTheLastFailure() {
        let http = ScriptedHTTP(Array(repeating: Self.answer(503), count: 1_000))
        let started = ContinuousClock.now
        #expect(throws: Failure.busy(503)) {
            try run(http, policy: RetryPolicy(budgetMilliseconds: 300, baseDelayMilliseconds: 20))
        }
        #expect(ContinuousClock.now - started < .milliseconds(900), "bounded by the budget")
        #expect(http.timeouts.count > 1 && http.timeouts.allSatisfy { $0 <= 300 }, "no attempt outlives the budget")
    }

    @Test func aPauseTheProviderAsksForIsKeptAndOneBeyondTheBudgetEndsTheCall() throws {
        let http = ScriptedHTTP([Self.answer(429), Self.answer(200)])
        let started = ContinuousClock.now
        #expect(try run(http, after: 150) == "200")
        #expect(ContinuousClock.now - started >= .milliseconds(150))

        let patient = ScriptedHTTP([Self.answer(429), Self.answer(200)])
        #expect(throws: Failure.busy(429)) { try run(patient, after: RetryAfter.maxMilliseconds) }
        #expect(patient.timeouts.count == 1, "a pause past the budget is not waited out")
    }

    @Test func aBrokenTransportIsRetriedAndReportedAsTheAdapterSays() {
        let http = ScriptedHTTP(Array(repeating: .failure(.connectionFailed("refused")), count: 1_000))
        #expect(throws: Failure.transport) {
            try run(http, policy: RetryPolicy(budgetMilliseconds: 200, baseDelayMilliseconds: 10))
        }
        #expect(http.timeouts.count > 1)
    }
}

@Suite struct RetryPolicyTests {
    @Test func pausesDoubleWithJitterUpToTheCeiling() {
        let policy = RetryPolicy(budgetMilliseconds: 10_000, baseDelayMilliseconds: 200, maxDelayMilliseconds: 2_000)
        for (attempt, step) in [(1, 200), (2, 400), (3, 800), (4, 1_600), (5, 2_000), (40, 2_000), (Int.max, 2_000)] {
            for _ in 0..<50 {
                let pause = policy.delay(after: attempt)
                #expect((step / 2...step).contains(pause), "attempt \(attempt): \(pause)")
            }
        }
    }

    @Test func theDeadlineCountsDownAndAPauseStopsAtIt() {
        let deadline = RetryPolicy(budgetMilliseconds: 120).start()
        #expect((1...120).contains(deadline.remaining))
        let started = ContinuousClock.now
        #expect(!deadline.pause(10_000), "nothing is left after a pause past the budget")
        #expect(ContinuousClock.now - started < .milliseconds(600))
        #expect(deadline.remaining == 0)
    }
}
