import Base

/// Every statement on `purchases` and `purchase_charges`, in one place.
package struct PurchaseStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let columns = """
            id, user_id, item_id, amount_minor, currency, status, pay_url, telegram_payment_charge_id, owner_id,
            \(SQLTime.utc("created_at")) AS created_at_utc, \(SQLTime.utc("succeeded_at")) AS succeeded_at_utc
            """
        static let insert = """
            INSERT INTO purchases (id, user_id, item_id, amount_minor, currency, status, invoice_created_at, succeeded_at,
                                   owner_id)
            VALUES ($1, $2, $3, $4, 'XTR', $5, CASE WHEN $5 = 'pending' THEN now() END, CASE WHEN $5 = 'succeeded' THEN now() END,
                    $6)
            ON CONFLICT DO NOTHING
            RETURNING \(columns)
            """
        static let lock = "SELECT \(columns) FROM purchases WHERE id = $1 FOR UPDATE"
        static let find = "SELECT \(columns) FROM purchases WHERE id = $1"
        static let pendingFor =
            "SELECT \(columns) FROM purchases WHERE user_id = $1 AND item_id = $2 AND status = 'pending'"
        static let setPayURL =
            "UPDATE purchases SET pay_url = $2, updated_at = now() WHERE id = $1 RETURNING \(columns)"
        /// Moves to succeeded and tells how long after the invoice it happened.
        static let succeeded = """
            SET status = 'succeeded', succeeded_at = now(), updated_at = now(),
                telegram_payment_charge_id = coalesce(telegram_payment_charge_id, $2)
            """
        static let elapsed = "(extract(epoch FROM (now() - invoice_created_at)) * 1000)::bigint AS ms_from_invoice"
        static let succeed = """
            UPDATE purchases \(succeeded)
            WHERE id = $1 AND status <> 'succeeded'
            RETURNING \(columns), \(elapsed)
            """
        /// Only a pending or failed purchase of this amount; locked first, so `previous` is what it was.
        static let succeedPayable = """
            UPDATE purchases \(succeeded)
            FROM (SELECT id AS locked, status AS previous FROM purchases WHERE id = $1 FOR UPDATE) AS was
            WHERE id = was.locked AND was.previous IN ('pending', 'failed') AND amount_minor = $3 AND currency = $4
            RETURNING \(columns), \(elapsed), was.previous
            """
        static let fail =
            "UPDATE purchases SET status = 'failed', updated_at = now() WHERE id = $1 RETURNING \(columns)"
        static let chargeColumns = """
            telegram_payment_charge_id, purchase_id, user_id, amount_minor, currency, refund_due, reason,
            \(SQLTime.utc("created_at")) AS created_at_utc, \(SQLTime.utc("refunded_at")) AS refunded_at_utc
            """
        static let lockCharge =
            "SELECT \(chargeColumns) FROM purchase_charges WHERE telegram_payment_charge_id = $1 FOR UPDATE"
        static let chargesAmong = """
            SELECT \(chargeColumns) FROM purchase_charges
            WHERE telegram_payment_charge_id = ANY ($1::text[])
            """
        static let refundsDue = """
            SELECT \(chargeColumns) FROM purchase_charges WHERE refund_due AND refunded_at IS NULL ORDER BY created_at
            """
        static let chargeRefunded = """
            UPDATE purchase_charges SET refunded_at = now(), refund_due = false
            WHERE telegram_payment_charge_id = $1 AND refunded_at IS NULL
            RETURNING \(chargeColumns)
            """
        static let refund = """
            UPDATE purchases SET status = 'refunded', updated_at = now()
            WHERE id = $1 AND status = 'succeeded' AND telegram_payment_charge_id = $2
            RETURNING \(columns)
            """
        static let insertCharge = """
            INSERT INTO purchase_charges (telegram_payment_charge_id, provider_payment_charge_id, purchase_id, user_id,
                                          amount_minor, currency, refund_due, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """
        static let recordCharge =
            insertCharge + """

                ON CONFLICT (telegram_payment_charge_id) DO NOTHING
                RETURNING telegram_payment_charge_id
                """
    }

    /// Inserts a purchase as `pending` (an invoice) or `succeeded` (a direct mock purchase), owned
    /// by `ownerID` when the caller was identified; nil when the id is taken or the user already
    /// has a pending purchase of the item.
    package func insert(
        id: String, userID: String, item: Catalog.Item, status: PurchaseRecord.Status, ownerID: String? = nil
    ) throws -> PurchaseRecord? {
        try connection.query(SQL.insert, [id, userID, item.id, item.price.minorUnits, status.rawValue, ownerID])
            .first.map(Self.record)
    }

    /// The purchase, locked until the transaction ends.
    package func lock(_ id: String) throws -> PurchaseRecord? {
        try connection.query(SQL.lock, [id]).first.map(Self.record)
    }

    package func find(_ id: String) throws -> PurchaseRecord? {
        try connection.query(SQL.find, [id]).first.map(Self.record)
    }

    /// The user's pending purchase of the item, if any.
    package func pending(userID: String, itemID: String) throws -> PurchaseRecord? {
        try connection.query(SQL.pendingFor, [userID, itemID]).first.map(Self.record)
    }

    package func setPayURL(_ id: String, _ url: String) throws -> PurchaseRecord? {
        try connection.query(SQL.setPayURL, [id, url]).first.map(Self.record)
    }

    /// Marks the purchase succeeded unless it already is; returns it with the milliseconds
    /// since its invoice (nil without an invoice), or nil when it had already succeeded.
    package func succeed(_ id: String, chargeID: String?) throws -> (PurchaseRecord, Int64?)? {
        guard let row = try connection.query(SQL.succeed, [id, chargeID]).first else { return nil }
        return (try Self.record(row), try row.int("ms_from_invoice"))
    }

    /// In one statement, the purchase locked and marked succeeded if it is pending or failed and
    /// costs `amount`; returns it with the milliseconds since its invoice and the status it had,
    /// or nil, having changed nothing, when it is not there, already paid, or priced otherwise. A
    /// charge id another purchase holds fails it as a unique violation.
    package func succeedIfPayable(
        _ id: String, chargeID: String, amount: Money
    ) throws -> (purchase: PurchaseRecord, elapsed: Int64?, previous: PurchaseRecord.Status)? {
        guard
            let row = try connection.query(SQL.succeedPayable, [id, chargeID, amount.minorUnits, amount.currency.code])
                .first,
            let previous = PurchaseRecord.Status(rawValue: try row.requiredString("previous"))
        else { return nil }
        return (try Self.record(row), try row.int("ms_from_invoice"), previous)
    }

    package func fail(_ id: String) throws -> PurchaseRecord? {
        try connection.query(SQL.fail, [id]).first.map(Self.record)
    }

    /// Keeps a Telegram charge; false when this charge id was recorded before (`PGConnection.insertOnce`).
    package func recordCharge(
        _ chargeID: String, providerChargeID: String?, purchaseID: String, userID: String, amount: Money,
        refundDue: Bool, reason: String?
    ) throws -> Bool {
        try connection.insertOnce(
            SQL.insertCharge, orSkip: SQL.recordCharge,
            [
                chargeID, providerChargeID, purchaseID, userID, amount.minorUnits, amount.currency.code, refundDue,
                reason,
            ])
    }

    /// The charge, locked until the transaction ends.
    package func lockCharge(_ chargeID: String) throws -> ChargeRecord? {
        try connection.query(SQL.lockCharge, [chargeID]).first.map(Self.charge)
    }

    /// The charges recorded among `ids`, by id.
    package func charges(among ids: [String]) throws -> [String: ChargeRecord] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: ChargeRecord] = [:]
        for row in try connection.query(SQL.chargesAmong, [ids]).rows {
            let charge = try Self.charge(row)
            found[charge.chargeID] = charge
        }
        return found
    }

    /// Charges flagged for refund and not refunded yet, oldest first.
    package func refundsDue() throws -> [ChargeRecord] {
        try connection.query(SQL.refundsDue).rows.map(Self.charge)
    }

    /// Marks the charge refunded (and no longer due); nil when it already was.
    package func chargeRefunded(_ chargeID: String) throws -> ChargeRecord? {
        try connection.query(SQL.chargeRefunded, [chargeID]).first.map(Self.charge)
    }

    /// Moves a paid purchase whose own charge `chargeID` was refunded to `refunded`; nil when that
    /// charge is not what paid it (a second payment) or it was refunded before.
    package func refund(_ purchaseID: String, chargeID: String) throws -> PurchaseRecord? {
        try connection.query(SQL.refund, [purchaseID, chargeID]).first.map(Self.record)
    }

    private static func charge(_ row: PGRow) throws -> ChargeRecord {
        guard let currency = Currency(try row.requiredString("currency")) else {
            throw StoreError(.unexpectedResult, detail: "purchase_charges row has an unreadable currency")
        }
        return ChargeRecord(
            chargeID: try row.requiredString("telegram_payment_charge_id"),
            purchaseID: try row.requiredString("purchase_id"), userID: try row.requiredString("user_id"),
            amount: Money(minorUnits: try row.requiredInt("amount_minor"), currency: currency),
            refundDue: try row.requiredString("refund_due") == "t", reason: try row.string("reason"),
            createdAt: try row.requiredString("created_at_utc"), refundedAt: try row.string("refunded_at_utc"))
    }

    private static func record(_ row: PGRow) throws -> PurchaseRecord {
        guard let status = PurchaseRecord.Status(rawValue: try row.requiredString("status")),
            let currency = Currency(try row.requiredString("currency"))
        else { throw StoreError(.unexpectedResult, detail: "purchases row has an unreadable status or currency") }
        return PurchaseRecord(
            id: try row.requiredString("id"), userID: try row.requiredString("user_id"),
            itemID: try row.requiredString("item_id"),
            price: Money(minorUnits: try row.requiredInt("amount_minor"), currency: currency), status: status,
            payURL: try row.string("pay_url"), telegramPaymentChargeID: try row.string("telegram_payment_charge_id"),
            ownerID: try row.string("owner_id"), createdAt: try row.requiredString("created_at_utc"),
            succeededAt: try row.string("succeeded_at_utc"))
    }
}
