/// What `payctl check` watches, each counted by one column of `AlarmStore`'s statement and
/// judged against a `warning:critical` threshold (`CHECK_<NAME>` or `--threshold name=W:C`).
package enum AlarmCheck: String, CaseIterable, Sendable, Encodable {
    /// Deliveries refused before they were believed (bad signature, secret token or source).
    case signatureFailures = "signature_failures"
    /// Deliveries whose outcome says somebody should look (amount mismatch, unknown payment, …).
    case processingErrors = "processing_errors"
    /// YooKassa payments still pending or waiting for capture past the pending age (and less than
    /// a week old): YooKassa ends every payment, so a notification was missed.
    case stuckPending = "stuck_pending"
    /// Deliveries to sinks that will not be tried again.
    case deadDeliveries = "dead_deliveries"
    /// Seconds the oldest undelivered delivery of an active sink has waited (a paused or
    /// disabled sink's are counted by their own checks).
    case oldestUndeliveredSeconds = "oldest_undelivered_seconds"
    /// Stars charges flagged for refund and not refunded.
    case starsRefundsDue = "stars_refunds_due"
    /// Refunds pending at a provider for more than an hour.
    case refundsPending = "refunds_pending"
    /// Differences the latest reconciliation of each provider that read it left standing.
    case reconcileDifferences = "reconcile_differences"
    /// Booking payments that succeeded after another payment had paid the same booking, and are
    /// not refunded in full: two callers each paid, and one payment is to go back.
    case paidTwice = "paid_twice"
    /// The share of PostgreSQL's client connections in use, in percent of `max_connections` less
    /// the ones reserved for superusers: the fleet's connection budget.
    case connections = "connections"
    /// Providers whose latest reconciliation could not read them.
    case reconcileFailures = "reconcile_failures"
    /// Providers reconciled before that have had no run read them within the reconcile age.
    case reconcileStale = "reconcile_stale"
    /// Sinks the relay disabled after they failed every attempt for `SINK_DISABLE_AFTER` (or
    /// answered 410 Gone for `SINK_GONE_AFTER`): their deliveries wait for an operator.
    case sinksDisabled = "sinks_disabled"
    /// Sinks an operator paused: their deliveries accrue until one resumes them.
    case sinksPaused = "sinks_paused"

    /// The threshold when none is configured.
    package var defaultThreshold: Threshold {
        switch self {
        case .signatureFailures: Threshold(warning: 1, critical: 20)
        case .processingErrors: Threshold(warning: 1, critical: 10)
        case .stuckPending: Threshold(warning: 1, critical: 20)
        case .deadDeliveries: Threshold(warning: 1, critical: 10)
        case .oldestUndeliveredSeconds: Threshold(warning: 300, critical: 1_800)
        case .starsRefundsDue: Threshold(warning: 1, critical: 10)
        case .refundsPending: Threshold(warning: 1, critical: 5)
        case .reconcileDifferences: Threshold(warning: 1, critical: 10)
        case .paidTwice: Threshold(warning: 1, critical: 5)
        case .connections: Threshold(warning: 70, critical: 90)
        case .reconcileFailures: Threshold(warning: 1, critical: 3)
        case .reconcileStale: Threshold(warning: 1, critical: 3)
        case .sinksDisabled: Threshold(warning: 1, critical: 1)
        case .sinksPaused: Threshold(warning: 1, critical: 3)
        }
    }

    /// The environment variable that sets its threshold: `CHECK_SIGNATURE_FAILURES=1:20`.
    package var variable: String { "CHECK_" + rawValue.uppercased() }

    /// What an operator does about it.
    package var nextStep: String {
        switch self {
        case .signatureFailures: "payctl summary names the provider and reason; check the webhook secrets and proxies"
        case .processingErrors: "payctl summary --since 1h, then payctl show EVENT_ID for each problem"
        case .stuckPending: "a notification was missed: compare with the provider (payctl reconcile)"
        case .deadDeliveries:
            "payctl deliveries --status dead; fix the sink, then payctl deliveries retry --sink S"
        case .oldestUndeliveredSeconds: "is events-relay running? payctl deliveries --status retrying"
        case .starsRefundsDue: "payctl stars refunds-due, then payctl stars refund --all-due --yes"
        case .refundsPending: "payctl refund PAYMENT_ID --yes resumes each; check the provider's dashboard"
        case .reconcileDifferences: "payctl reconcile --since 24h names them; --apply brings missed changes in"
        case .paidTwice:
            "the booking_paid_twice events name each payment (outcome refund_due in payctl summary);"
                + " payctl refund PAYMENT_ID --yes gives it back"
        case .connections:
            "count the fleet against max_connections (README, Past one machine); put a pooler in front or lower reserved concurrency"
        case .reconcileFailures:
            "payctl reconcile --since 24h says which provider could not be read and why; check its credentials"
        case .reconcileStale: "is the reconcile schedule running? payctl reconcile --since 24h runs one now"
        case .sinksDisabled: "payctl sinks says why each was disabled; fix the receiver, then payctl sinks resume NAME"
        case .sinksPaused:
            "payctl sinks says who paused each and why; payctl sinks resume NAME when it may receive again"
        }
    }
}
