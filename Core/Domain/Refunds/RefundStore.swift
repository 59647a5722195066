import Base
import FoundationEssentials

/// Every statement on `refunds`, in one place. Rows are locked (`FOR UPDATE`) by the transaction
/// that moves them, after their payment's row.
package struct RefundStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let columns = """
            id, payment_id, provider, provider_refund_id, amount_minor, currency, status, reason, requested_by, error,
            \(SQLTime.utc("created_at")) AS created_at_utc
            """
        static let insert = """
            INSERT INTO refunds (id, payment_id, provider, provider_refund_id, amount_minor, currency, status, reason,
                                 requested_by)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT DO NOTHING
            RETURNING \(columns)
            """
        static let lockByID = "SELECT \(columns) FROM refunds WHERE id = $1::uuid FOR UPDATE"
        static let lockByProviderID = """
            SELECT \(columns) FROM refunds WHERE provider = $1 AND provider_refund_id = $2 FOR UPDATE
            """
        /// The operator's request still waiting for the provider's id: what an answer lost in a
        /// crash belongs to.
        static let lockOpenRequest = """
            SELECT \(columns) FROM refunds
            WHERE payment_id = $1::uuid AND status = 'pending' AND requested_by IS NOT NULL FOR UPDATE
            """
        /// The operator's latest refund of this amount that succeeded in the last day.
        static let recentSuccess = """
            SELECT \(columns) FROM refunds
            WHERE payment_id = $1::uuid AND requested_by IS NOT NULL AND status = 'succeeded' AND amount_minor = $2
              AND succeeded_at > now() - interval '24 hours'
            ORDER BY succeeded_at DESC LIMIT 1
            """
        static let update = """
            UPDATE refunds
            SET provider_refund_id = coalesce(provider_refund_id, $2), status = $3, error = $4, updated_at = now(),
                succeeded_at = CASE WHEN $3 = 'succeeded' THEN coalesce(succeeded_at, now()) END
            WHERE id = $1::uuid
            RETURNING \(columns)
            """
        static let succeededAmong = """
            SELECT provider_refund_id FROM refunds
            WHERE provider = $1 AND status = 'succeeded' AND provider_refund_id = ANY ($2::text[])
            """
        static let ofPayment = "SELECT \(columns) FROM refunds WHERE payment_id = $1::uuid ORDER BY created_at, id"
        static let pendingTotal = """
            SELECT coalesce(sum(amount_minor), 0) AS total FROM refunds WHERE payment_id = $1::uuid AND status = 'pending'
            """
    }

    /// A new refund of `payment`: an operator's request (pending, no provider id yet) or one the
    /// provider reports first; nil when the provider id is recorded already.
    package func insert(
        id: UUID = UUID(), payment: PaymentRecord, providerRefundID: String? = nil, amount: Money,
        status: RefundStatus = .pending, reason: String? = nil, requestedBy: String? = nil
    ) throws -> RefundRecord? {
        try connection.query(
            SQL.insert,
            [
                id, payment.id, payment.provider.rawValue, providerRefundID, amount.minorUnits, amount.currency.code,
                status.rawValue, reason.map { BoundedText.clip($0, 255) }, requestedBy,
            ]
        ).first.map(Self.record)
    }

    package func lock(id: UUID) throws -> RefundRecord? {
        try connection.query(SQL.lockByID, [id]).first.map(Self.record)
    }

    package func lock(provider: Provider, providerRefundID: String) throws -> RefundRecord? {
        try connection.query(SQL.lockByProviderID, [provider.rawValue, providerRefundID]).first.map(Self.record)
    }

    /// The operator's refund of `paymentID` still pending, if there is one (at most one is).
    package func lockOpenRequest(paymentID: UUID) throws -> RefundRecord? {
        try connection.query(SQL.lockOpenRequest, [paymentID]).first.map(Self.record)
    }

    /// An operator's refund of `amount` that succeeded in the last 24 hours (however long it was
    /// pending before): what a repeated command finds done.
    package func recentSuccess(paymentID: UUID, amount: Money) throws -> RefundRecord? {
        try connection.query(SQL.recentSuccess, [paymentID, amount.minorUnits]).first.map(Self.record)
    }

    /// Moves a refund to `status`, recording the provider's id the first time it is known.
    @discardableResult
    package func update(
        _ refund: RefundRecord, providerRefundID: String?, status: RefundStatus, error: String? = nil
    ) throws -> RefundRecord {
        guard
            let row = try connection.query(
                SQL.update, [refund.id, providerRefundID, status.rawValue, error.map { BoundedText.clip($0, 300) }]
            ).first
        else { throw StoreError(.unexpectedResult, detail: "the refund being updated is not there") }
        return try Self.record(row)
    }

    /// Which of `ids` (the provider's) are counted here as succeeded.
    package func succeeded(provider: Provider, among ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return Set(
            try connection.query(SQL.succeededAmong, [provider.rawValue, ids]).rows.map {
                try $0.requiredString("provider_refund_id")
            })
    }

    /// A payment's refunds, oldest first.
    package func refunds(of paymentID: UUID) throws -> [RefundRecord] {
        try connection.query(SQL.ofPayment, [paymentID]).rows.map(Self.record)
    }

    /// What a payment's pending refunds would give back.
    package func pendingTotal(of paymentID: UUID) throws -> Int64 {
        try connection.query(SQL.pendingTotal, [paymentID]).first?.requiredInt("total") ?? 0
    }

    private static func record(_ row: PGRow) throws -> RefundRecord {
        guard let id = UUID(uuidString: try row.requiredString("id")),
            let paymentID = UUID(uuidString: try row.requiredString("payment_id")),
            let provider = Provider(rawValue: try row.requiredString("provider")),
            let status = RefundStatus(rawValue: try row.requiredString("status")),
            let currency = Currency(try row.requiredString("currency"))
        else { throw StoreError(.unexpectedResult, detail: "refunds row has an unreadable id, provider or status") }
        return RefundRecord(
            id: id, paymentID: paymentID, provider: provider, providerRefundID: try row.string("provider_refund_id"),
            amount: Money(minorUnits: try row.requiredInt("amount_minor"), currency: currency), status: status,
            reason: try row.string("reason"), requestedBy: try row.string("requested_by"),
            error: try row.string("error"),
            createdAt: try row.requiredString("created_at_utc"))
    }
}
