import Logging

/// The one retry loop of the provider adapters: attempts inside the policy's budget with jittered
/// exponential pauses, the same request (and so the same idempotency key) every time. The adapter
/// says only how to read an answer (`classify`) and what a broken transport means (`transport`);
/// when the budget is spent, the last failure is thrown.
package struct RetryingCall<Failure: Error> {
    /// The provider's name and the call's name (a path or a method, never a URL with a token), for logs.
    let provider: String
    let call: String
    let policy: RetryPolicy
    let http: any HTTPClient

    package init(provider: String, call: String, policy: RetryPolicy, http: any HTTPClient) {
        self.provider = provider
        self.call = call
        self.policy = policy
        self.http = http
    }

    package func run<Value>(
        _ request: (_ timeoutMilliseconds: Int) -> OutboundRequest, logger: Logger,
        classify: (OutboundResponse) -> RetryVerdict<Value, Failure>,
        transport: (TransportError) -> Failure
    ) throws(Failure) -> Value {
        let deadline = policy.start()
        var attempt = 0
        var failure = transport(.timedOut)
        while deadline.remaining > 0 {
            attempt += 1
            var pause = policy.delay(after: attempt)
            var metadata: Logger.Metadata = ["call": .string(call), "attempt": .stringConvertible(attempt)]
            let timeout = min(policy.attemptTimeoutMilliseconds, deadline.remaining)
            switch Result(catching: { () throws(TransportError) in try http.send(request(timeout)) }) {
            case .success(let response):
                switch classify(response) {
                case .done(let value): return value
                case .fail(let error): throw error
                case .retry(let error, let after):
                    failure = error
                    pause = max(pause, after ?? 0)
                    metadata["status"] = .stringConvertible(response.status)
                }
            case .failure(let error):
                failure = transport(error)
                metadata["transport"] = .string("\(error)")
            }
            guard deadline.remaining > pause else { break }
            logger.warning("\(provider) call will be retried", metadata: metadata)
            _ = deadline.pause(pause)
        }
        logger.error(
            "\(provider) call gave up",
            metadata: [
                "call": .string(call), "attempts": .stringConvertible(attempt), "failure": .string("\(failure)"),
            ])
        throw failure
    }
}
