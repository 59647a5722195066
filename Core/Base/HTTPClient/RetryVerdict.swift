import Logging

/// What a provider adapter makes of one answer: the value, another try (after at least `after`
/// milliseconds, e.g. a `Retry-After`), or a failure no retry can mend.
package enum RetryVerdict<Value, Failure: Error> {
    case done(Value)
    case retry(Failure, after: Int? = nil)
    case fail(Failure)
}
