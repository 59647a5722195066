import Base
import Domain
import FoundationEssentials
import Logging

/// `create-intent` (`POST /api/public/payments`): prices a booking or subscription from the
/// catalog, writes the local payment first, then creates the YooKassa payment with an
/// `Idempotence-Key` derived from the local id, so a retry resumes the same provider payment.
///
/// Each caller gets their own payment: a signed-in caller's open payment for a booking (and
/// service) or subscription is theirs alone, anonymous callers share one, and repeating a
/// request returns the caller's open payment. One open longer than YooKassa's confirmation window
/// is read back from YooKassa first; when YooKassa has ended it, that is recorded and a new one is
/// made. Two callers who both pay one booking are found when the second payment succeeds
/// (`booking_paid_twice`), and the second is refunded.
package struct CreateIntentHandler: Handler {
    private let catalog: Catalog
    private let database: Database
    private let yookassa: YooKassaClient
    private let defaultReturnURL: String
    private let confirmationWindowSeconds: Int64

    package init(
        catalog: Catalog, database: Database, yookassa: YooKassaClient, defaultReturnURL: String,
        confirmationWindowSeconds: Int64 = 3_600
    ) {
        self.catalog = catalog
        self.database = database
        self.yookassa = yookassa
        self.defaultReturnURL = defaultReturnURL
        self.confirmationWindowSeconds = confirmationWindowSeconds
    }

    /// The function as deployed: this handler behind client idempotency keys.
    /// `YOOKASSA_CONFIRMATION_WINDOW` (default `1h`) is how long YooKassa lets a buyer confirm.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        let handler = CreateIntentHandler(
            catalog: try context.catalog(), database: try context.store(),
            yookassa: try YooKassaClient(config: context.config),
            defaultReturnURL: try context.config.baseURL("YOOKASSA_RETURN_URL", default: ""),
            confirmationWindowSeconds: Int64(
                try context.config.duration("YOOKASSA_CONFIRMATION_WINDOW", default: "1h") / 1_000))
        return try IdempotentHandler(wrapping: handler, context: context)
    }

    package var browserFacing: Bool { true }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        let input = try CreateIntentRequest.parse(request.body)
        if case .subscription(_, let userID) = input.purpose, let caller = request.caller, caller != userID {
            throw APIError.identityMismatch
        }
        let (amount, description) = try price(input.purpose)
        let returnURL = try allowedReturnURL(input.returnURL)
        let payments = PaymentStore(connection: try database.connection())

        var (payment, created) = try openOrCreate(
            input.purpose, amount: amount, description: description, returnURL: returnURL, owner: request.caller,
            payments: payments, logger: logger)
        var log = logger
        log[metadataKey: "payment_id"] = .string(payment.id.uuidString.lowercased())
        if let providerPaymentID = payment.providerPaymentID {
            log.info("open payment returned", metadata: ["provider_payment_id": .string(providerPaymentID)])
        } else {
            CrashPoint.reach("after_local_row")
            payment = try start(payment, payments: payments, logger: log)
            created = true
        }
        // 201 when this call created or started the payment, 200 for one already started.
        return .json(created ? 201 : 200, IntentAnswer(payment))
    }

    /// The amount and description from the catalog.
    private func price(_ purpose: PaymentRecord.Purpose) throws -> (Money, String) {
        switch purpose {
        case .booking(let appointmentID, let slug, let kind):
            guard let service = catalog.services[slug] else {
                throw APIError.unprocessable("unknown_service", "No service \"\(slug)\" is on sale.")
            }
            let what = kind == .deposit ? "Deposit" : "Payment"
            return (
                kind == .deposit ? service.deposit : service.full,
                PaymentStore.clip("\(what) for \(service.title), appointment \(appointmentID)")
            )
        case .subscription(let planID, _):
            guard let plan = catalog.plans[planID] else {
                throw APIError.unprocessable("unknown_plan", "No plan \"\(planID)\" is on sale.")
            }
            return (plan.price, PaymentStore.clip("\(plan.title) subscription, \(plan.periodDays) days"))
        case .deal:
            preconditionFailure("create-intent takes bookings and subscriptions only")
        }
    }

    /// The client's `return_url` if it is on the configured return URL's origin, else the default.
    private func allowedReturnURL(_ requested: String?) throws -> String {
        guard !defaultReturnURL.isEmpty else {
            throw ConfigError(variable: "YOOKASSA_RETURN_URL", problem: "is not set")
        }
        guard let requested else { return defaultReturnURL }
        guard BoundedText.length(requested) <= 2_048, Self.origin(requested) == Self.origin(defaultReturnURL) else {
            throw APIError.unprocessable(
                "return_url_not_allowed",
                "return_url must be on \(Self.origin(defaultReturnURL) ?? "the shop's site") and at most 2048 characters."
            )
        }
        return requested
    }

    /// `owner`'s open payment for this booking or subscription, or a new one owned by `owner`;
    /// true when new.
    private func openOrCreate(
        _ purpose: PaymentRecord.Purpose, amount: Money, description: String, returnURL: String, owner: String?,
        payments: PaymentStore, logger: Logger
    ) throws -> (PaymentRecord, Bool) {
        var periodDays: Int?
        if case .subscription(let planID, _) = purpose { periodDays = catalog.plans[planID]?.periodDays }
        for _ in 0..<3 {
            if let (open, age) = try payments.open(for: purpose, owner: owner) {
                guard age > confirmationWindowSeconds, let ended = try endedAtYooKassa(open, logger: logger) else {
                    return (open, false)
                }
                // Paid after all: that payment is the answer, and no second one is opened.
                if ended.status != .canceled { return (ended, false) }
                continue
            }
            if let inserted = try payments.insert(
                id: UUID(), provider: .yookassa, amount: amount, purpose: purpose, description: description,
                returnURL: returnURL, periodDays: periodDays, ownerID: owner)
            {
                return (inserted, true)
            }
        }
        throw StoreError(.unexpectedResult, detail: "open payment neither found nor inserted")
    }

    /// `payment`, an open payment past the confirmation window, as it is once YooKassa has ended
    /// it: its success or cancellation is recorded as its notification would be (verification
    /// `reconcile`, so the notification arriving later is a duplicate). Nil while YooKassa holds it
    /// open, or when it cannot be read now.
    private func endedAtYooKassa(_ payment: PaymentRecord, logger: Logger) throws -> PaymentRecord? {
        guard let providerPaymentID = payment.providerPaymentID else { return nil }
        let object: YooKassa.Payment
        do {
            object = try yookassa.payment(id: providerPaymentID, logger: logger)
        } catch {
            logger.warning(
                "open payment past the confirmation window could not be read back; returned as it is",
                metadata: ["provider_payment_id": .string(providerPaymentID), "failure": .string("\(error)")])
            return nil
        }
        guard let status = PaymentStatus(rawValue: object.status), status == .succeeded || status == .canceled else {
            return nil
        }
        let outcome = try YooKassaWebhookSource.recordFound(
            YooKassaWebhookSource.found(object, status: status), database: database, logger: logger)
        logger.info(
            "open payment past the confirmation window ended at YooKassa",
            metadata: [
                "provider_payment_id": .string(providerPaymentID), "status": .string(status.rawValue),
                "outcome": .string(outcome.rawValue),
            ])
        let now = try PaymentStore(connection: try database.connection()).find(id: payment.id)
        return now.flatMap { $0.status.isOpen ? nil : $0 }
    }

    /// Creates the provider payment for a local one and records it with `payment_started`.
    private func start(_ payment: PaymentRecord, payments: PaymentStore, logger: Logger) throws -> PaymentRecord {
        let body = YooKassa.CreatePayment(
            amount: payment.amount, returnURL: payment.returnURL, description: payment.description,
            metadata: Self.metadata(payment))
        let created: YooKassa.Payment
        do {
            created = try yookassa.createPayment(
                body, idempotenceKey: payment.id.uuidString.lowercased(), logger: logger)
        } catch {
            if case .rejected(let status, let code, _) = error {
                try PaymentLedger(connection: try database.connection()).recordRejected(payment)
                logger.error(
                    "YooKassa rejected the payment",
                    metadata: ["status": .stringConvertible(status), "code": .string(code)])
            } else {
                logger.warning("payment left pending for a retry", metadata: ["failure": .string("\(error)")])
            }
            throw error.apiError
        }
        CrashPoint.reach("after_provider_call")
        guard created.amount.money == payment.amount else {
            logger.error("YooKassa answered another amount", metadata: ["provider_payment_id": .string(created.id)])
            throw YooKassaError.badResponse.apiError
        }
        let connection = try database.connection()
        return try connection.transaction {
            guard
                let attached = try payments.attachProvider(
                    id: payment.id, providerPaymentID: created.id,
                    confirmationURL: created.confirmation?.confirmation_url)
            else {
                return try payments.find(id: payment.id) ?? payment
            }
            try EventStore(connection: connection).append(PaymentEvents.started(attached))
            logger.info(
                "payment started",
                metadata: ["provider_payment_id": .string(created.id), "amount": .string(attached.amount.description)])
            return attached
        }
    }

    /// Metadata within YooKassa's limits: at most 16 keys, key ≤ 32 and value ≤ 512 characters.
    static func metadata(_ payment: PaymentRecord) -> [String: String] {
        var metadata = ["payment_id": payment.id.uuidString.lowercased()]
        switch payment.purpose {
        case .booking(let appointmentID, let slug, let kind):
            metadata["appointment_id"] = appointmentID
            metadata["service_slug"] = slug
            metadata["kind"] = kind.rawValue
        case .subscription(let planID, let userID):
            metadata["plan_id"] = planID
            metadata["user_id"] = userID
        case .deal(let dealID):
            metadata["deal_id"] = dealID
        }
        return metadata
    }

    static func origin(_ url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : url[..<scheme.upperBound].lowercased() + host.lowercased()
    }
}
