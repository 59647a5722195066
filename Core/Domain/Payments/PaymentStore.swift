import Base
import FoundationEssentials

/// Every statement on `payments`, in one place.
package struct PaymentStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let columns = """
            id, provider, provider_payment_id, status, amount_refunded_minor, amount_minor, currency, purpose, appointment_id, service_slug, kind,
            plan_id, user_id, deal_id, description, return_url, confirmation_url, failure_category, period_days,
            owner_id, invoice_number, \(SQLTime.utc("created_at")) AS created_at_utc,
            \(SQLTime.utc("paid_at")) AS paid_at_utc
            """
        /// The next invoice number, `INV-<year of now>-<at least six digits>`. The sequence is read
        /// once per statement, so each statement using it gives a number to one row only.
        static let nextInvoiceNumber = """
            (SELECT 'INV-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
             FROM nextval('invoice_numbers') AS n)
            """
        static let insert = """
            INSERT INTO payments (id, provider, status, amount_minor, currency, purpose, appointment_id, service_slug, kind,
                                  plan_id, user_id, description, return_url, period_days, owner_id)
            VALUES ($1::uuid, $12, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14)
            ON CONFLICT DO NOTHING
            RETURNING \(columns)
            """
        static let openBooking = """
            SELECT \(columns), extract(epoch FROM now() - created_at)::bigint AS age_seconds FROM payments
            WHERE purpose = 'booking' AND appointment_id = $1 AND kind = $2 AND service_slug = $3
              AND coalesce(owner_id, '') = coalesce($4, '') AND status IN ('pending', 'waiting_for_capture')
            """
        static let openSubscription = """
            SELECT \(columns), extract(epoch FROM now() - created_at)::bigint AS age_seconds FROM payments
            WHERE purpose = 'subscription' AND user_id = $1 AND plan_id = $2
              AND coalesce(owner_id, '') = coalesce($3, '') AND status IN ('pending', 'waiting_for_capture')
            """
        /// `moved`, a statement that sets a payment's status to `$2` and returns its columns, made
        /// to claim the booking of a booking payment it makes succeed: the first success takes
        /// the booking's row in `booking_payers`; a later one finds the row taken (waiting for a
        /// payer still committing, whose row `DO UPDATE` returns although this statement's
        /// snapshot predates it) and is recorded in `booking_second_payments` with the payer as
        /// `paid_before`. A payer refunded in full gives the row up (`releaseBooking`).
        static func claimingBooking(_ moved: String) -> String {
            """
            WITH moved AS (\(moved)),
            payer AS (
                INSERT INTO booking_payers AS b (appointment_id, kind, payment_id)
                SELECT appointment_id, kind, id FROM moved WHERE $2 = 'succeeded' AND purpose = 'booking'
                ON CONFLICT (appointment_id, kind) DO UPDATE SET payment_id = b.payment_id
                RETURNING b.payment_id
            ),
            second AS (
                INSERT INTO booking_second_payments (payment_id, paid_before)
                SELECT moved.id, payer.payment_id FROM moved, payer WHERE payer.payment_id <> moved.id
                ON CONFLICT DO NOTHING
            )
            SELECT moved.*, (SELECT payer.payment_id FROM payer WHERE payer.payment_id <> moved.id) AS paid_before
            FROM moved
            """
        }
        static let byID = "SELECT \(columns) FROM payments WHERE id = $1::uuid"
        /// The payment that paid booking payment `$1`'s booking first, while both stand paid.
        static let paidEarlier = """
            SELECT second.paid_before AS id FROM booking_second_payments AS second
            JOIN payments AS later ON later.id = second.payment_id AND later.status = 'succeeded'
            JOIN payments AS earlier ON earlier.id = second.paid_before AND earlier.status = 'succeeded'
            WHERE second.payment_id = $1::uuid
            """
        static let lockByID = "SELECT \(columns) FROM payments WHERE id = $1::uuid FOR UPDATE"
        static let releaseBooking = "DELETE FROM booking_payers WHERE payment_id = $1::uuid"
        static let byProviderID = "SELECT \(columns) FROM payments WHERE provider = $1 AND provider_payment_id = $2"
        static let recent = """
            SELECT \(columns) FROM payments WHERE provider = $1 AND created_at >= to_timestamp($2) ORDER BY created_at
            """
        /// A refund's money counted; the payment becomes `refunded` when nothing is left.
        static let addRefunded = """
            UPDATE payments
            SET amount_refunded_minor = amount_refunded_minor + $2, updated_at = now(),
                status = CASE WHEN amount_refunded_minor + $2 = amount_minor THEN 'refunded' ELSE status END
            WHERE id = $1::uuid AND status = 'succeeded' AND amount_refunded_minor + $2 <= amount_minor
            RETURNING \(columns)
            """
        static let lockByProviderID = """
            SELECT \(columns) FROM payments WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE
            """
        /// The deal's payment locked, or else inserted: `inserted` tells which.
        static let lockOrInsertDeal = """
            WITH locked AS (
                SELECT \(columns), false AS inserted FROM payments
                WHERE provider = $8 AND provider_payment_id = $2 FOR UPDATE
            ), added AS (
                INSERT INTO payments (id, provider, provider_payment_id, status, amount_minor, currency, purpose, deal_id,
                                      description, paid_at, invoice_number)
                SELECT $1::uuid, $8::text, $2::text, $3::text, $4::bigint, $5::text, 'deal', $6::text, $7::text,
                       CASE WHEN $3 = 'succeeded' THEN now() END,
                       CASE WHEN $3 = 'succeeded' THEN \(nextInvoiceNumber) END
                WHERE NOT EXISTS (SELECT FROM locked)
                ON CONFLICT DO NOTHING
                RETURNING \(columns), true AS inserted
            )
            SELECT * FROM locked UNION ALL SELECT * FROM added
            """
        static let attachProvider = """
            UPDATE payments SET provider_payment_id = $2, confirmation_url = $3, updated_at = now()
            WHERE id = $1::uuid AND provider_payment_id IS NULL
            RETURNING \(columns)
            """
        /// A first success also stamps `paid_at` and draws the invoice number, in the same statement.
        static let statusChange = """
            SET status = $2, failure_category = coalesce($3, failure_category), updated_at = now(),
                paid_at = CASE WHEN $2 = 'succeeded' THEN coalesce(paid_at, now()) ELSE paid_at END,
                invoice_number = CASE WHEN $2 = 'succeeded' AND invoice_number IS NULL THEN \(nextInvoiceNumber)
                                      ELSE invoice_number END
            """
        static let setStatus = claimingBooking(
            "UPDATE payments \(statusChange) WHERE id = $1::uuid RETURNING \(columns)")
        /// The status changed only from one of `$5` and for the amount `$6` `$7`; locked first, so
        /// `previous` is what it was.
        static let advance = claimingBooking(
            """
            UPDATE payments \(statusChange)
            FROM (SELECT id AS locked, status AS previous FROM payments
                  WHERE provider = $1 AND provider_payment_id = $4 FOR UPDATE) AS was
            WHERE id = was.locked AND was.previous = ANY ($5::text[]) AND amount_minor = $6 AND currency = $7
            RETURNING \(columns), was.previous
            """)
        /// One page of an owner's payments, newest first, with their total count: one row with a
        /// NULL id when the page is past the end.
        static let ownedPage = """
            SELECT counted.total, page.*
            FROM (SELECT count(*) AS total FROM payments WHERE owner_id = $1) AS counted
            LEFT JOIN LATERAL (
                SELECT \(columns) FROM payments WHERE owner_id = $1
                ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3) AS page ON true
            """
    }

    /// A new pending booking or subscription payment at `provider`, owned by `ownerID` when the
    /// caller was identified; nil when an open one exists (the caller then reads that one).
    /// A subscription's `periodDays` (from the catalog) is kept with it, so the period it buys
    /// does not depend on the catalog at the time it is paid.
    package func insert(
        id: UUID, provider: Provider, amount: Money, purpose: PaymentRecord.Purpose, description: String,
        returnURL: String, periodDays: Int? = nil, ownerID: String? = nil
    ) throws -> PaymentRecord? {
        var fields: [(any SQLParameter)?] = [id, amount.minorUnits, amount.currency.code]
        switch purpose {
        case .booking(let appointmentID, let serviceSlug, let kind):
            fields += ["booking", appointmentID, serviceSlug, kind.rawValue, nil, nil]
        case .subscription(let planID, let userID):
            fields += ["subscription", nil, nil, nil, planID, userID]
        case .deal:
            preconditionFailure("deals are recorded with lockOrInsertDeal")
        }
        fields += [description, returnURL, provider.rawValue, periodDays, ownerID]
        return try connection.query(SQL.insert, fields).first.map(Self.record)
    }

    /// `owner`'s open (pending or waiting for capture) payment for this booking or subscription,
    /// and how many seconds ago it was made; anonymous callers (`owner` nil) share one.
    package func open(
        for purpose: PaymentRecord.Purpose, owner: String?
    ) throws -> (payment: PaymentRecord, ageSeconds: Int64)? {
        let row: PGRow?
        switch purpose {
        case .booking(let appointmentID, let serviceSlug, let kind):
            row = try connection.query(SQL.openBooking, [appointmentID, kind.rawValue, serviceSlug, owner]).first
        case .subscription(let planID, let userID):
            row = try connection.query(SQL.openSubscription, [userID, planID, owner]).first
        case .deal:
            row = nil
        }
        return try row.map { (try Self.record($0), try $0.requiredInt("age_seconds")) }
    }

    /// The deal payment `provider` knows as `providerPaymentID`, locked until the transaction ends,
    /// or, when there is none, recorded now as first reported (`inserted`; one recorded as succeeded
    /// gets its invoice number at once): one statement either way. Nil when another transaction
    /// recorded it meanwhile; that one has committed by then, so `lock` finds it.
    package func lockOrInsertDeal(
        provider: Provider, providerPaymentID: String, status: PaymentStatus, amount: Money, dealID: String?,
        description: String
    ) throws -> (payment: PaymentRecord, inserted: Bool)? {
        let row = try connection.query(
            SQL.lockOrInsertDeal,
            [
                UUID(), providerPaymentID, status.rawValue, amount.minorUnits, amount.currency.code, dealID,
                Self.clip(description),
                provider.rawValue,
            ]
        ).first
        return try row.map { (try Self.record($0), try $0.bool("inserted") == true) }
    }

    /// For a paid booking payment, the payment that had paid its booking first (and is not
    /// refunded in full): this one paid it twice.
    package func paidEarlier(than id: UUID) throws -> UUID? {
        try connection.query(SQL.paidEarlier, [id]).first.flatMap { try $0.string("id") }.flatMap(
            UUID.init(uuidString:))
    }

    /// Gives up the booking `id` paid first, once it is refunded in full: the booking's next
    /// success is its first payer again.
    package func releaseBooking(paidBy id: UUID) throws {
        try connection.query(SQL.releaseBooking, [id])
    }

    package func find(id: UUID) throws -> PaymentRecord? {
        try connection.query(SQL.byID, [id]).first.map(Self.record)
    }

    /// The payment `provider` knows as `providerPaymentID`.
    package func find(provider: Provider, providerPaymentID: String) throws -> PaymentRecord? {
        try connection.query(SQL.byProviderID, [provider.rawValue, providerPaymentID]).first.map(Self.record)
    }

    /// `provider`'s payments created since `sinceSeconds` (Unix time), oldest first.
    package func recent(provider: Provider, sinceSeconds: Int64) throws -> [PaymentRecord] {
        try connection.query(SQL.recent, [provider.rawValue, sinceSeconds]).rows.map(Self.record)
    }

    /// The payment, locked until the transaction ends.
    package func lock(id: UUID) throws -> PaymentRecord? {
        try connection.query(SQL.lockByID, [id]).first.map(Self.record)
    }

    /// Counts `minorUnits` more as refunded (the caller has checked it fits); the payment moves to
    /// `refunded` when that is all of it. Nil when it does not fit or the payment is not paid.
    package func addRefunded(id: UUID, minorUnits: Int64) throws -> PaymentRecord? {
        try connection.query(SQL.addRefunded, [id, minorUnits]).first.map(Self.record)
    }

    /// The payment `provider` knows as `providerPaymentID`, locked until the transaction ends.
    package func lock(provider: Provider, providerPaymentID: String) throws -> PaymentRecord? {
        try connection.query(SQL.lockByProviderID, [provider.rawValue, providerPaymentID]).first.map(Self.record)
    }

    /// Records the provider's payment id and confirmation URL once; nil if already recorded.
    package func attachProvider(id: UUID, providerPaymentID: String, confirmationURL: String?) throws -> PaymentRecord?
    {
        try connection.query(SQL.attachProvider, [id, providerPaymentID, confirmationURL]).first.map(Self.record)
    }

    /// Sets the status (the caller has checked the transition) and returns the payment as it is
    /// now (a first success carries its paid time and invoice number) with, for a booking that it
    /// makes succeed, the payment that had already paid that booking.
    @discardableResult
    package func setStatus(
        id: UUID, to status: PaymentStatus, failureCategory: String? = nil
    ) throws -> (payment: PaymentRecord, paidBefore: UUID?) {
        guard let row = try connection.query(SQL.setStatus, [id, status.rawValue, failureCategory]).first else {
            throw StoreError(.unexpectedResult, detail: "the payment whose status was set is not there")
        }
        return (try Self.record(row), try Self.paidBefore(row))
    }

    /// In one statement, the payment `provider` knows as `providerPaymentID` locked and moved to
    /// `status`, if that moves it forward and it is for `amount`; returns it as it is now with the
    /// status it had (and, as `setStatus` does, the payment that had already paid its booking), or
    /// nil, having changed nothing, when it is not there, not for that amount, or already there or
    /// past it.
    package func advance(
        provider: Provider, providerPaymentID: String, to status: PaymentStatus, amount: Money,
        failureCategory: String? = nil
    ) throws -> (payment: PaymentRecord, previous: PaymentStatus, paidBefore: UUID?)? {
        guard
            let row = try connection.query(
                SQL.advance,
                [
                    provider.rawValue, status.rawValue, failureCategory, providerPaymentID,
                    status.reachedFrom.map(\.rawValue), amount.minorUnits, amount.currency.code,
                ]
            ).first,
            let previous = PaymentStatus(rawValue: try row.requiredString("previous"))
        else { return nil }
        return (try Self.record(row), previous, try Self.paidBefore(row))
    }

    /// Page `page` (from 1) of `ownerID`'s payments, `size` a page, newest first, and how many
    /// they have in all: one statement.
    package func owned(by ownerID: String, page: Int, size: Int) throws -> (payments: [PaymentRecord], total: Int) {
        let rows = try connection.query(SQL.ownedPage, [ownerID, size, (page - 1) * size]).rows
        let total = try rows.first.map { Int(try $0.requiredInt("total")) } ?? 0
        return (try rows.filter { try $0.string("id") != nil }.map(Self.record), total)
    }

    /// At most 128 characters, the column's limit.
    package static func clip(_ text: String) -> String { BoundedText.clip(text, 128) }

    /// The `paid_before` column of a status change (`SQL.claimingBooking`).
    private static func paidBefore(_ row: PGRow) throws -> UUID? {
        try row.string("paid_before").flatMap(UUID.init(uuidString:))
    }

    private static func record(_ row: PGRow) throws -> PaymentRecord {
        guard let id = UUID(uuidString: try row.requiredString("id")),
            let provider = Provider(rawValue: try row.requiredString("provider")),
            let status = PaymentStatus(rawValue: try row.requiredString("status")),
            let currency = Currency(try row.requiredString("currency"))
        else { throw StoreError(.unexpectedResult, detail: "payments row has an unreadable id, status or currency") }
        let purpose: PaymentRecord.Purpose
        switch try row.requiredString("purpose") {
        case "booking":
            guard let kind = BookingKind(rawValue: try row.requiredString("kind")) else {
                throw StoreError(.unexpectedResult, detail: "payments row has an unreadable kind")
            }
            purpose = .booking(
                appointmentID: try row.requiredString("appointment_id"),
                serviceSlug: try row.requiredString("service_slug"), kind: kind)
        case "subscription":
            purpose = .subscription(
                planID: try row.requiredString("plan_id"), userID: try row.requiredString("user_id"))
        default:
            purpose = .deal(dealID: try row.string("deal_id"))
        }
        return PaymentRecord(
            id: id, provider: provider, providerPaymentID: try row.string("provider_payment_id"), status: status,
            amount: Money(minorUnits: try row.requiredInt("amount_minor"), currency: currency), purpose: purpose,
            description: try row.requiredString("description"), returnURL: try row.string("return_url") ?? "",
            confirmationURL: try row.string("confirmation_url"), failureCategory: try row.string("failure_category"),
            periodDays: try row.int("period_days").map(Int.init), ownerID: try row.string("owner_id"),
            invoiceNumber: try row.string("invoice_number"), createdAt: try row.requiredString("created_at_utc"),
            paidAt: try row.string("paid_at_utc"), amountRefunded: try row.requiredInt("amount_refunded_minor"))
    }
}
