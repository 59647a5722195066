extension Migration {
    /// Subscriptions with periods: each subscription payment remembers the days it buys
    /// (`payments.period_days`), each paid one adds a row to `subscription_periods` (once: keyed by
    /// the payment), stacked after the current end in `subscriptions` (one row per user and plan);
    /// a refund revokes its period.
    static let subscriptions = Migration(
        version: 4, name: "subscriptions",
        sql: #"""
            ALTER TABLE payments ADD COLUMN period_days integer CHECK (period_days > 0);

            CREATE TABLE subscriptions (
                user_id    text NOT NULL CHECK (char_length(user_id) <= 64),
                plan_id    text NOT NULL CHECK (char_length(plan_id) <= 64),
                expires_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, plan_id)
            );

            CREATE TABLE subscription_periods (
                payment_id  uuid PRIMARY KEY REFERENCES payments (id),
                user_id     text NOT NULL,
                plan_id     text NOT NULL,
                period_days integer NOT NULL CHECK (period_days > 0),
                starts_at   timestamptz NOT NULL,
                ends_at     timestamptz NOT NULL,
                revoked_at  timestamptz,
                FOREIGN KEY (user_id, plan_id) REFERENCES subscriptions (user_id, plan_id)
            );
            """#)
}
