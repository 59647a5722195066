import Core
import Testing

@Suite struct SinkAnswerTests {
    private func answer(_ status: Int, _ headers: [(String, String)] = []) -> SinkAnswer {
        SinkAnswer.classify(OutboundResponse(status: status, headers: HTTPHeaders(headers), body: []))
    }

    @Test func anyTwoHundredIsDelivered() {
        for status in [200, 201, 202, 204, 299] { #expect(answer(status) == .delivered(statusCode: status)) }
    }

    @Test func transientAnswersAreRetried() {
        for status in [408, 425, 429, 500, 502, 503, 504] {
            guard case .failed(let code, _, _) = answer(status) else {
                Issue.record("\(status) is not retried")
                continue
            }
            #expect(code == status)
        }
        #expect(answer(429, [("Retry-After", "7")]) == .failed(statusCode: 429, error: "HTTP 429", retryAfter: 7_000))
        #expect(SinkAnswer.transport(.timedOut) == .failed(statusCode: nil, error: "timed out"))
    }

    @Test func otherAnswersArePermanent() {
        for status in [301, 302, 400, 401, 403, 404, 410, 422] {
            guard case .refused(let code, _) = answer(status) else {
                Issue.record("\(status) is retried")
                continue
            }
            #expect(code == status)
        }
    }
}
