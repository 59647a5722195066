extension Migration {
    /// Each caller's own open payment: a booking or subscription has one open payment per owner
    /// (signed-in caller, or all anonymous callers together) and, for a booking, per service,
    /// instead of one for everybody, so nobody can hold a booking or a subscription for another
    /// caller. Booking payments that succeeded are indexed by booking, so a second success for
    /// one booking is found.
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
            CREATE INDEX payments_booking_paid ON payments (appointment_id, kind, paid_at)
                WHERE purpose = 'booking' AND status = 'succeeded';
            """#)
}
