import Base
import Domain

/// The counts `payctl check` judges, read in one statement.
package struct AlarmStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        /// $1 the window in seconds, $2 the problem outcomes, $3 the pending age, $4 the reconcile age.
        /// A stuck payment is a YooKassa one, which YooKassa always ends (succeeded or canceled, the
        /// latter when the buyer never pays): pending past the age and within a week means its
        /// notification was missed. A Stripe deal may stay open for days by design.
        /// Refusals are counted by hour: every hour bucket seen within the window counts whole.
        static let counts = """
            SELECT
              (SELECT coalesce(sum(count), 0) FROM webhook_rejections
               WHERE last_seen_at >= now() - $1::int * interval '1 second') AS signature_failures,
              (SELECT count(*) FROM webhook_events
               WHERE updated_at >= now() - $1::int * interval '1 second'
                 AND outcome = ANY ($2::text[])) AS processing_errors,
              (SELECT count(*) FROM payments
               WHERE provider = 'yookassa' AND provider_payment_id IS NOT NULL
                 AND status IN ('pending', 'waiting_for_capture')
                 AND created_at < now() - $3::int * interval '1 second'
                 AND created_at > now() - interval '7 days') AS stuck_pending,
              (SELECT count(*) FROM deliveries WHERE status = 'dead') AS dead_deliveries,
              (SELECT coalesce(extract(epoch FROM now() - min(created_at))::bigint, 0) FROM deliveries
               WHERE status IN ('pending', 'retrying')
                 AND sink NOT IN (\(SinkState.stoppedSinks))) AS oldest_undelivered_seconds,
              (SELECT count(*) FROM purchase_charges WHERE refund_due AND refunded_at IS NULL) AS stars_refunds_due,
              (SELECT count(*) FROM refunds
               WHERE status = 'pending' AND created_at < now() - interval '1 hour') AS refunds_pending,
              (SELECT coalesce(sum(unresolved), 0) FROM (
                   SELECT DISTINCT ON (provider) unresolved FROM reconcile_runs WHERE error IS NULL
                   ORDER BY provider, finished_at DESC, id DESC
               ) AS latest) AS reconcile_differences,
              (SELECT count(*) FROM booking_second_payments AS second
               JOIN payments AS later ON later.id = second.payment_id AND later.status = 'succeeded'
               JOIN payments AS earlier ON earlier.id = second.paid_before AND earlier.status = 'succeeded'
              ) AS paid_twice,
              (SELECT count(*) * 100 / greatest(1, current_setting('max_connections')::int
                                                   - current_setting('superuser_reserved_connections')::int)
               FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
              (SELECT count(*) FROM (
                   SELECT DISTINCT ON (provider) error FROM reconcile_runs ORDER BY provider, finished_at DESC, id DESC
               ) AS latest WHERE error IS NOT NULL) AS reconcile_failures,
              (SELECT count(*) FROM (
                   SELECT max(finished_at) FILTER (WHERE error IS NULL) AS read_at FROM reconcile_runs GROUP BY provider
               ) AS runs WHERE read_at IS NULL OR read_at < now() - $4::int * interval '1 second') AS reconcile_stale,
              (SELECT count(*) FROM sink_states WHERE state = 'disabled') AS sinks_disabled,
              (SELECT count(*) FROM sink_states WHERE state = 'paused') AS sinks_paused
            """
    }

    /// Each check's value: refusals and problem outcomes within `windowSeconds`, payments pending
    /// for longer than `pendingAgeSeconds`, providers not read by a reconciliation within
    /// `reconcileAgeSeconds`, and the rest as they stand.
    package func values(
        windowSeconds: Int, pendingAgeSeconds: Int, reconcileAgeSeconds: Int
    ) throws -> [AlarmCheck: Int64] {
        let problems = WebhookOutcome.all.filter { $0.severity == .problem }.map(\.rawValue)
        guard
            let row = try connection.query(
                SQL.counts, [windowSeconds, problems, pendingAgeSeconds, reconcileAgeSeconds]
            ).first
        else { throw StoreError(.unexpectedResult, detail: "the check's counts are missing") }
        var values: [AlarmCheck: Int64] = [:]
        for check in AlarmCheck.allCases { values[check] = try row.requiredInt(check.rawValue) }
        return values
    }
}
