/// A handler's response with what the invocation reports about itself beside it, for the metric
/// line: never sent.
package struct Answer: Sendable {
    package var response: HTTPResponse
    /// How the request ended in the function's own words (a webhook outcome or refusal); nil
    /// leaves it to the status class.
    package var outcome: String?
    /// Counts the function reports (the relay's deliveries, reconciliation's differences).
    package var metrics: [String: Int]

    package init(_ response: HTTPResponse, outcome: String? = nil, metrics: [String: Int] = [:]) {
        self.response = response
        self.outcome = outcome
        self.metrics = metrics
    }
}
