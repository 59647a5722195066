extension Migration {
    /// The one-column checks of the tables every delivery writes (`payments`, `purchases`,
    /// `webhook_events`) become domains, with the same rules. A table's checks are read from the
    /// catalog, parsed and planned again for every statement that writes the table, all of them on
    /// every update; a domain's are kept prepared with the type and apply to the columns a
    /// statement sets. Measured with pgbench (prepared statements, `BENCHMARKS.md`): a `payments`
    /// insert went from about 150 µs to about 120 µs. The checks across columns stay on the table.
    ///
    /// Each domain violation is still `check_violation` (23514). The columns keep their base types
    /// on the wire; the change scans each table once to check its rows and rebuilds the indexes
    /// on the columns it retypes, under an exclusive lock: on a large table, run it in a quiet hour.
    static let checksAsDomains = Migration(
        version: 12, name: "checks as domains",
        sql: #"""
            CREATE DOMAIN payment_provider AS text CHECK (VALUE IN ('yookassa', 'stripe'));
            CREATE DOMAIN webhook_provider AS text CHECK (VALUE IN ('yookassa', 'stripe', 'telegram'));
            CREATE DOMAIN payment_status AS text
                CHECK (VALUE IN ('pending', 'waiting_for_capture', 'succeeded', 'canceled', 'refunded'));
            CREATE DOMAIN purchase_status AS text CHECK (VALUE IN ('pending', 'succeeded', 'failed', 'refunded'));
            CREATE DOMAIN payment_purpose AS text CHECK (VALUE IN ('booking', 'subscription', 'deal'));
            CREATE DOMAIN booking_kind AS text CHECK (VALUE IN ('deposit', 'full'));
            CREATE DOMAIN minor_units AS bigint CHECK (VALUE > 0);
            CREATE DOMAIN day_count AS integer CHECK (VALUE > 0);
            CREATE DOMAIN delivery_count AS integer CHECK (VALUE > 0);
            CREATE DOMAIN currency_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
            CREATE DOMAIN stars_currency AS text CHECK (VALUE = 'XTR');
            CREATE DOMAIN owner_ref AS text CHECK (char_length(VALUE) BETWEEN 1 AND 128);
            CREATE DOMAIN purchase_ref AS text CHECK (char_length(VALUE) BETWEEN 1 AND 64);
            CREATE DOMAIN description_text AS text CHECK (char_length(VALUE) <= 128);
            CREATE DOMAIN url_text AS text CHECK (char_length(VALUE) <= 2048);

            ALTER TABLE payments
                DROP CONSTRAINT payments_provider_check, DROP CONSTRAINT payments_status_check,
                DROP CONSTRAINT payments_amount_minor_check, DROP CONSTRAINT payments_currency_check,
                DROP CONSTRAINT payments_purpose_check, DROP CONSTRAINT payments_kind_check,
                DROP CONSTRAINT payments_description_check, DROP CONSTRAINT payments_return_url_check,
                DROP CONSTRAINT payments_period_days_check, DROP CONSTRAINT payments_owner_id_check,
                ALTER COLUMN provider TYPE payment_provider, ALTER COLUMN status TYPE payment_status,
                ALTER COLUMN amount_minor TYPE minor_units, ALTER COLUMN currency TYPE currency_code,
                ALTER COLUMN purpose TYPE payment_purpose, ALTER COLUMN kind TYPE booking_kind,
                ALTER COLUMN description TYPE description_text, ALTER COLUMN return_url TYPE url_text,
                ALTER COLUMN period_days TYPE day_count, ALTER COLUMN owner_id TYPE owner_ref;

            ALTER TABLE purchases
                DROP CONSTRAINT purchases_id_check, DROP CONSTRAINT purchases_amount_minor_check,
                DROP CONSTRAINT purchases_currency_check, DROP CONSTRAINT purchases_owner_id_check,
                DROP CONSTRAINT purchases_status_check,
                ALTER COLUMN id TYPE purchase_ref, ALTER COLUMN amount_minor TYPE minor_units,
                ALTER COLUMN currency TYPE stars_currency, ALTER COLUMN owner_id TYPE owner_ref,
                ALTER COLUMN status TYPE purchase_status;

            ALTER TABLE webhook_events
                DROP CONSTRAINT webhook_events_provider_check, DROP CONSTRAINT webhook_events_deliveries_check,
                ALTER COLUMN provider TYPE webhook_provider, ALTER COLUMN deliveries TYPE delivery_count;
            """#)
}
