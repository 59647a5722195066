import FoundationEssentials

/// Every statement on `payments`, in one place.
package struct PaymentStore {
    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let columns = """
            id, provider_payment_id, status, amount_minor, currency, purpose, appointment_id, service_slug, kind,
            plan_id, user_id, deal_id, description, return_url, confirmation_url, failure_category, period_days
            """
        static let insert = """
            INSERT INTO payments (id, provider, status, amount_minor, currency, purpose, appointment_id, service_slug, kind,
                                  plan_id, user_id, description, return_url, period_days)
            VALUES ($1::uuid, $12, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13)
            ON CONFLICT DO NOTHING
            RETURNING \(columns)
            """
        static let openBooking = """
            SELECT \(columns) FROM payments
            WHERE purpose = 'booking' AND appointment_id = $1 AND kind = $2 AND status IN ('pending', 'waiting_for_capture')
            """
        static let openSubscription = """
            SELECT \(columns) FROM payments
            WHERE purpose = 'subscription' AND user_id = $1 AND plan_id = $2 AND status IN ('pending', 'waiting_for_capture')
            """
        static let byID = "SELECT \(columns) FROM payments WHERE id = $1::uuid"
        static let lockByProviderID = """
            SELECT \(columns) FROM payments WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE
            """
        static let insertDeal = """
            INSERT INTO payments (id, provider, provider_payment_id, status, amount_minor, currency, purpose, deal_id, description)
            VALUES ($1::uuid, $8, $2, $3, $4, $5, 'deal', $6, $7)
            ON CONFLICT DO NOTHING
            RETURNING \(columns)
            """
        static let attachProvider = """
            UPDATE payments SET provider_payment_id = $2, confirmation_url = $3, updated_at = now()
            WHERE id = $1::uuid AND provider_payment_id IS NULL
            RETURNING \(columns)
            """
        static let setStatus = """
            UPDATE payments SET status = $2, failure_category = coalesce($3, failure_category), updated_at = now()
            WHERE id = $1::uuid
            """
    }

    /// Inserts a new pending payment; nil when an open payment for the same booking or
    /// subscription already exists (the caller then reads that one).
    /// A new pending booking or subscription payment at `provider`; nil when an open one exists.
    /// A subscription's `periodDays` (from the catalog) is kept with it, so the period it buys
    /// does not depend on the catalog at the time it is paid.
    package func insert(
        id: UUID, provider: Provider, amount: Money, purpose: PaymentRecord.Purpose, description: String,
        returnURL: String, periodDays: Int? = nil
    ) throws -> PaymentRecord? {
        var fields: [(any SQLParameter)?] = [id, amount.minorUnits, amount.currency.code]
        switch purpose {
        case .booking(let appointmentID, let serviceSlug, let kind):
            fields += ["booking", appointmentID, serviceSlug, kind.rawValue, nil, nil]
        case .subscription(let planID, let userID):
            fields += ["subscription", nil, nil, nil, planID, userID]
        case .deal:
            preconditionFailure("deals are recorded with insertDeal")
        }
        fields += [description, returnURL, provider.rawValue, periodDays]
        return try connection.query(SQL.insert, fields).first.map(Self.record)
    }

    /// The open (pending or waiting for capture) payment for this booking or subscription.
    package func open(for purpose: PaymentRecord.Purpose) throws -> PaymentRecord? {
        switch purpose {
        case .booking(let appointmentID, _, let kind):
            return try connection.query(SQL.openBooking, [appointmentID, kind.rawValue]).first.map(Self.record)
        case .subscription(let planID, let userID):
            return try connection.query(SQL.openSubscription, [userID, planID]).first.map(Self.record)
        case .deal:
            return nil
        }
    }

    /// Records a Stripe payment seen for the first time, in `status`; nil when it exists already.
    /// A deal's payment as `provider` first reports it; nil when another transaction recorded it first.
    package func insertDeal(
        provider: Provider, providerPaymentID: String, status: PaymentStatus, amount: Money, dealID: String?,
        description: String
    ) throws -> PaymentRecord? {
        try connection.query(
            SQL.insertDeal,
            [
                UUID(), providerPaymentID, status.rawValue, amount.minorUnits, amount.currency.code, dealID,
                Self.clip(description),
                provider.rawValue,
            ]
        ).first.map(Self.record)
    }

    package func find(id: UUID) throws -> PaymentRecord? {
        try connection.query(SQL.byID, [id]).first.map(Self.record)
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

    /// Sets the status (the caller has checked the transition).
    package func setStatus(id: UUID, to status: PaymentStatus, failureCategory: String? = nil) throws {
        try connection.query(SQL.setStatus, [id, status.rawValue, failureCategory])
    }

    /// At most 128 characters, the column's limit.
    static func clip(_ text: String) -> String { BoundedText.clip(text, 128) }

    private static func record(_ row: PGRow) throws -> PaymentRecord {
        guard let id = UUID(uuidString: try row.requiredString("id")),
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
            id: id, providerPaymentID: try row.string("provider_payment_id"), status: status,
            amount: Money(minorUnits: try row.requiredInt("amount_minor"), currency: currency), purpose: purpose,
            description: try row.requiredString("description"), returnURL: try row.string("return_url") ?? "",
            confirmationURL: try row.string("confirmation_url"), failureCategory: try row.string("failure_category"),
            periodDays: try row.int("period_days").map(Int.init))
    }
}
