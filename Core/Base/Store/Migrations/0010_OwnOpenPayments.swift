extension Migration {
    /// Each caller's own open payment: a booking or subscription has one open payment per owner
    /// (signed-in caller, or all anonymous callers together) and, for a booking, per service,
    /// instead of one for everybody, so nobody can hold a booking or a subscription for another
    /// caller. Since two callers may then both pay one booking, a booking's first payer is kept in
    /// `booking_payers` (a unique key, so of two successes committing together one waits for the
    /// other and finds it) and every later success in `booking_second_payments`, to be refunded.
    static let ownOpenPayments = Migration(
        version: 10, name: "own open payments",
        sql: #"""
            DROP INDEX payments_one_open_per_booking;
            CREATE UNIQUE INDEX payments_one_open_per_booking
                ON payments (appointment_id, kind, service_slug, coalesce(owner_id, ''))
                WHERE purpose = 'booking' AND status IN ('pending', 'waiting_for_capture');
            DROP INDEX payments_one_open_per_subscription;
            CREATE UNIQUE INDEX payments_one_open_per_subscription
                ON payments (user_id, plan_id, coalesce(owner_id, ''))
                WHERE purpose = 'subscription' AND status IN ('pending', 'waiting_for_capture');

            CREATE TABLE booking_payers (
                appointment_id text NOT NULL,
                kind           text NOT NULL,
                payment_id     uuid NOT NULL REFERENCES payments (id),
                PRIMARY KEY (appointment_id, kind)
            );
            CREATE TABLE booking_second_payments (
                payment_id  uuid PRIMARY KEY REFERENCES payments (id),
                paid_before uuid NOT NULL REFERENCES payments (id)
            );
            INSERT INTO booking_payers (appointment_id, kind, payment_id)
            SELECT DISTINCT ON (appointment_id, kind) appointment_id, kind, id FROM payments
            WHERE purpose = 'booking' AND status IN ('succeeded', 'refunded') AND paid_at IS NOT NULL
            ORDER BY appointment_id, kind, status = 'refunded', paid_at, id;
            INSERT INTO booking_second_payments (payment_id, paid_before)
            SELECT p.id, b.payment_id FROM payments AS p JOIN booking_payers AS b USING (appointment_id, kind)
            WHERE p.purpose = 'booking' AND p.status = 'succeeded' AND p.id <> b.payment_id;
            """#)
}
