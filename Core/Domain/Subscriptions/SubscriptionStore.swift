import Base
import FoundationEssentials

/// `subscriptions` and `subscription_periods`: how long each user's plan runs. Runs inside the
/// transaction that moves the payment, so a period is added (or revoked) exactly when the
/// payment's status changes, and at most once per payment.
package struct SubscriptionStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private static let timestamp = #"'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'"#

    private enum SQL {
        /// The subscription's row, so it can be locked even for a first payment.
        static let ensure = """
            INSERT INTO subscriptions (user_id, plan_id, expires_at) VALUES ($1, $2, now())
            ON CONFLICT (user_id, plan_id) DO NOTHING
            """
        /// The period stacked after the later of now and the current end, once per payment.
        static let extend = """
            WITH current AS (
                SELECT greatest(now(), expires_at) AS start FROM subscriptions
                WHERE user_id = $1 AND plan_id = $2 FOR UPDATE
            ), period AS (
                INSERT INTO subscription_periods (payment_id, user_id, plan_id, period_days, starts_at, ends_at)
                SELECT $3::uuid, $1, $2, $4::int, start, start + $4::int * interval '1 day' FROM current
                ON CONFLICT (payment_id) DO NOTHING
                RETURNING starts_at, ends_at
            ), moved AS (
                UPDATE subscriptions SET expires_at = period.ends_at, updated_at = now()
                FROM period WHERE user_id = $1 AND plan_id = $2
            )
            SELECT to_char(starts_at AT TIME ZONE 'UTC', \(timestamp)) AS activated_at,
                   to_char(ends_at AT TIME ZONE 'UTC', \(timestamp)) AS expires_at
            FROM period
            """
        /// The payment's period taken back: the subscription ends that much earlier.
        static let revoke = """
            WITH period AS (
                UPDATE subscription_periods SET revoked_at = now()
                WHERE payment_id = $1::uuid AND revoked_at IS NULL
                RETURNING user_id, plan_id, period_days, starts_at, ends_at - starts_at AS length
            ), moved AS (
                UPDATE subscriptions s SET expires_at = s.expires_at - period.length, updated_at = now()
                FROM period WHERE s.user_id = period.user_id AND s.plan_id = period.plan_id
                RETURNING s.expires_at
            )
            SELECT period.user_id, period.plan_id, period.period_days,
                   to_char(period.starts_at AT TIME ZONE 'UTC', \(timestamp)) AS activated_at,
                   to_char(moved.expires_at AT TIME ZONE 'UTC', \(timestamp)) AS expires_at
            FROM period, moved
            """
    }

    /// Adds the period `payment` bought to its user's subscription; nil when it was added before.
    package func extend(
        for payment: PaymentRecord, userID: String, planID: String, days: Int
    ) throws
        -> SubscriptionPeriod?
    {
        try connection.query(SQL.ensure, [userID, planID])
        guard let row = try connection.query(SQL.extend, [userID, planID, payment.id, days]).first else { return nil }
        return SubscriptionPeriod(
            paymentID: payment.id, userID: userID, planID: planID, periodDays: days,
            activatedAt: try row.requiredString("activated_at"), expiresAt: try row.requiredString("expires_at"))
    }

    /// Takes back the period `payment` bought; nil when it bought none or it was revoked before.
    package func revoke(for payment: PaymentRecord) throws -> SubscriptionPeriod? {
        guard let row = try connection.query(SQL.revoke, [payment.id]).first else { return nil }
        return SubscriptionPeriod(
            paymentID: payment.id, userID: try row.requiredString("user_id"), planID: try row.requiredString("plan_id"),
            periodDays: Int(try row.requiredInt("period_days")), activatedAt: try row.requiredString("activated_at"),
            expiresAt: try row.requiredString("expires_at"))
    }
}
