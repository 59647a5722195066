extension Migration {
    /// What the read side answers from: each payment's and purchase's owner (the caller's
    /// identity from the gateway, when there was one), when a payment was paid, and its invoice
    /// number, `INV-YYYY-NNNNNN`, given once when it first succeeds.
    ///
    /// The numbers come from a sequence: unique, never rolled back, so a number is never given
    /// twice and gaps are allowed. Payments that succeeded before this step get theirs here.
    package static let readSide = Migration(
        version: 5, name: "read side",
        sql: #"""
            ALTER TABLE payments ADD COLUMN owner_id text CHECK (char_length(owner_id) BETWEEN 1 AND 128);
            ALTER TABLE payments ADD COLUMN paid_at timestamptz;
            ALTER TABLE payments ADD COLUMN invoice_number text UNIQUE;
            CREATE INDEX payments_owner_history ON payments (owner_id, created_at DESC, id DESC)
                WHERE owner_id IS NOT NULL;
            CREATE SEQUENCE invoice_numbers;
            WITH numbered AS (
                SELECT id, nextval('invoice_numbers')::text AS n FROM payments WHERE status IN ('succeeded', 'refunded'))
            UPDATE payments
            SET paid_at = payments.updated_at,
                invoice_number = 'INV-' || to_char(payments.updated_at AT TIME ZONE 'UTC', 'YYYY') || '-'
                                 || lpad(numbered.n, greatest(6, length(numbered.n)), '0')
            FROM numbered
            WHERE payments.id = numbered.id;

            ALTER TABLE purchases ADD COLUMN owner_id text CHECK (char_length(owner_id) BETWEEN 1 AND 128);
            """#)
}
