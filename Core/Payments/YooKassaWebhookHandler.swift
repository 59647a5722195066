import Logging

/// `yookassa-webhook` (`POST /api/webhooks/yookassa`). YooKassa does not sign notifications, so
/// authenticity comes from the source address and/or from reading the object back from the API,
/// whose answer is then the truth. One notification has one effect: the event row, the status
/// change and the domain event commit in one transaction.
public struct YooKassaWebhookHandler: Handler {
    /// `YOOKASSA_WEBHOOK_VERIFY`.
    public enum Verification: String, CaseIterable, Sendable {
        case ip
        case api
        case ipAndAPI = "ip+api"
        case none

        var checksSource: Bool { self == .ip || self == .ipAndAPI }
        var asksAPI: Bool { self == .api || self == .ipAndAPI }
    }

    private let verification: Verification
    private let networks: [IPNetwork]
    private let clientAddress: ClientAddress
    private let yookassa: YooKassaClient?
    private let database: Database

    public init(verification: Verification, networks: [IPNetwork], trustedProxies: [IPNetwork], yookassa: YooKassaClient?, database: Database) {
        self.verification = verification
        self.networks = networks
        self.clientAddress = ClientAddress(trustedProxies: trustedProxies)
        self.yookassa = yookassa
        self.database = database
    }

    /// The function as deployed, from `YOOKASSA_WEBHOOK_VERIFY` (default `ip+api`),
    /// `YOOKASSA_TRUSTED_NETWORKS`, `TRUSTED_PROXIES` and the YooKassa API settings.
    public static func make(_ context: FunctionContext) throws -> any Handler {
        let config = context.config
        let verification = try config.choice("YOOKASSA_WEBHOOK_VERIFY", default: Verification.ipAndAPI)
        return YooKassaWebhookHandler(
            verification: verification,
            networks: try networkList(config, "YOOKASSA_TRUSTED_NETWORKS") ?? YooKassaNetworks.published,
            trustedProxies: try networkList(config, "TRUSTED_PROXIES") ?? [],
            yookassa: verification.asksAPI ? try YooKassaClient(config: config) : nil,
            database: try context.store())
    }

    private static func networkList(_ config: Config, _ name: String) throws -> [IPNetwork]? {
        guard let text = config.optional(name) else { return nil }
        guard let networks = IPNetwork.list(text) else {
            throw ConfigError(variable: name, problem: "must be a comma-separated list of IP addresses or CIDR ranges")
        }
        return networks
    }

    public func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        if verification.checksSource {
            let address = clientAddress.resolve(request)
            guard let address, networks.contains(address) else {
                let source = address?.description ?? request.clientIP ?? "unknown"
                logger.warning("YooKassa webhook from an untrusted source", metadata: ["client_ip": .string(source)])
                WebhookRejectionStore.count(.yookassa, .untrustedSource, claim: WebhookRejectionStore.Claim(detail: "from \(source)"),
                                            database: database, logger: logger)
                throw APIError(403, "untrusted_source", "Notifications are accepted from YooKassa's networks only.")
            }
        }
        guard let notification = try? JSONCoding.decode(YooKassa.Notification.self, from: request.body),
              notification.type == "notification"
        else {
            logger.warning("YooKassa webhook body is not a notification")
            throw APIError.badRequest("invalid_notification", "The body is not a YooKassa notification.")
        }
        var trail = WebhookTrail(logger: logger, ids: ["event": notification.event, "object_id": notification.object.id])
        trail.step("YooKassa webhook received")
        let change = try observedChange(notification, body: request.body, trail: &trail)
        let arrival = WebhookEventStore.Arrival(
            provider: "yookassa", eventKey: "\(notification.event):\(notification.object.id)", eventType: notification.event,
            objectID: notification.object.id, verification: verification.rawValue)

        let connection = try database.connection()
        let (outcome, finalTrail) = try trail.transaction(on: connection) { attempt in
            try apply(change, arrival: arrival, connection: connection, trail: &attempt)
        }
        finalTrail.log.info("YooKassa webhook done", metadata: ["outcome": .string(outcome.rawValue)])
        // Only 200 counts as delivered: an outcome a redelivery may still change asks for one.
        return .json(outcome.reappliable ? 202 : 200, ["outcome": outcome.rawValue])
    }

    /// What the notification says happened, confirmed by the API when so configured.
    private func observedChange(_ notification: YooKassa.Notification, body: [UInt8], trail: inout WebhookTrail) throws -> ObservedChange {
        let id = notification.object.id
        let log = trail.log
        switch notification.event {
        case "payment.waiting_for_capture", "payment.succeeded", "payment.canceled":
            let claimed = try? JSONCoding.decode(Envelope<YooKassa.Payment>.self, from: body).object
            let payment = try confirm(claimed, trail: &trail) { (client) throws(YooKassaError) in try client.payment(id: id, logger: log) }
            if let claimed, claimed.status != payment.status {
                trail.step("status confirmed", outcome: "differs", detail: "notification said \(claimed.status), YooKassa says \(payment.status)", level: .warning)
            }
            return .payment(payment, reported: PaymentStatus(rawValue: String(notification.event.dropFirst("payment.".count))))
        case "refund.succeeded":
            let claimed = try? JSONCoding.decode(Envelope<YooKassa.Refund>.self, from: body).object
            return .refund(try confirm(claimed, trail: &trail) { (client) throws(YooKassaError) in try client.refund(id: id, logger: log) })
        default:
            return .ignored
        }
    }

    /// The API's object when verification asks the API; otherwise the notification's own.
    private func confirm<Object>(_ claimed: Object?, trail: inout WebhookTrail,
                                 fetch: (YooKassaClient) throws(YooKassaError) -> Object) throws -> Object {
        guard let yookassa else {
            guard let claimed else { throw APIError.badRequest("invalid_notification", "The notification's object is incomplete.") }
            return claimed
        }
        do {
            let object = try fetch(yookassa)
            trail.step("confirmed with the YooKassa API")
            return object
        } catch .rejected(404, _, _) {
            trail.step("confirmed with the YooKassa API", outcome: "not_found", level: .warning)
            throw APIError(403, "notification_not_confirmed", "YooKassa does not know the object this notification names.")
        } catch {
            trail.step("confirmed with the YooKassa API", outcome: "unavailable", detail: "\(error)", level: .error)
            throw APIError(503, "verification_unavailable", "The notification could not be confirmed with YooKassa; it will be redelivered.",
                           headers: HTTPHeaders([("Retry-After", "10")]))
        }
    }

    /// Claims the event and applies its effect; runs inside the transaction.
    private func apply(_ change: ObservedChange, arrival: WebhookEventStore.Arrival, connection: PGConnection, trail: inout WebhookTrail) throws -> WebhookOutcome {
        let events = WebhookEventStore(connection: connection)
        let claim = try events.claim(arrival)
        if let previous = claim.previousOutcome, !previous.reappliable {
            trail.step("deduplicated", outcome: "duplicate", detail: "delivery \(claim.deliveries), first outcome \(previous)")
            return .duplicate
        }
        trail.step("deduplicated", outcome: claim.deliveries == 1 ? "new" : "redelivered")

        // Whether the API has reached what the event reports: only then may the event's key be
        // settled for good; otherwise the API's truth is applied and the key stays open.
        var confirmed = true
        let finish = { (outcome: WebhookOutcome, trail: WebhookTrail, status: String?, amount: Money?) in
            let settled = confirmed || outcome.severity == .problem ? outcome : .notConfirmed
            try events.finish(claim, outcome: settled, trail: trail, objectStatus: status, amount: amount, verification: arrival.verification)
            return settled
        }
        let target: PaymentStatus
        let providerPaymentID: String
        let amount: Money?
        let objectStatus: String
        switch change {
        case .ignored:
            trail.step("event type not handled", outcome: "ignored")
            return try finish(.ignored, trail, nil, nil)
        case .payment(let payment, let reported):
            guard let status = PaymentStatus(rawValue: payment.status) else {
                trail.step("status read", outcome: "unknown_status", detail: payment.status, level: .error)
                return try finish(.unknownStatus, trail, payment.status, payment.amount.money)
            }
            if let reported, !status.hasReached(reported) {
                trail.step("event confirmed", outcome: "not_confirmed", detail: "the event reports \(reported.rawValue), the payment is \(status.rawValue)",
                           level: .warning)
                confirmed = false
            }
            (target, providerPaymentID, amount, objectStatus) = (status, payment.id, payment.amount.money, payment.status)
        case .refund(let refund):
            guard refund.status == "succeeded" else {
                trail.step("event confirmed", outcome: "not_confirmed", detail: "the event reports succeeded, the refund is \(refund.status)",
                           level: .warning)
                return try finish(.notConfirmed, trail, refund.status, refund.amount.money)
            }
            (target, providerPaymentID, amount, objectStatus) = (.refunded, refund.payment_id, refund.amount.money, refund.status)
        }

        let payments = PaymentStore(connection: connection)
        guard let payment = try payments.lock(provider: "yookassa", providerPaymentID: providerPaymentID) else {
            trail.step("payment lookup", outcome: "unknown_payment", level: .warning)
            return try finish(.unknownPayment, trail, objectStatus, amount)
        }
        trail.identify("payment_id", payment.id.uuidString.lowercased())
        if case .refund = change {
            guard let amount, amount.currency == payment.amount.currency, amount.minorUnits <= payment.amount.minorUnits else {
                trail.step("amount checked", outcome: "amount_mismatch", level: .error)
                return try finish(.amountMismatch, trail, objectStatus, amount)
            }
        } else if amount != payment.amount {
            trail.step("amount checked", outcome: "amount_mismatch", detail: "expected \(payment.amount)", level: .error)
            return try finish(.amountMismatch, trail, objectStatus, amount)
        }

        switch payment.status.transition(to: target) {
        case .unchanged:
            trail.step("status unchanged", outcome: "no_change", detail: target.rawValue)
            return try finish(.noChange, trail, objectStatus, amount)
        case .outOfOrder:
            trail.step("status not moved back", outcome: "out_of_order_ignored", detail: "\(payment.status.rawValue) stays, \(target.rawValue) ignored")
            return try finish(.outOfOrderIgnored, trail, objectStatus, amount)
        case .advance:
            let category: String?
            if case .payment(let object, _) = change, target == .canceled {
                category = object.cancellation_details?.reason ?? "unknown"
            } else {
                category = nil
            }
            try payments.setStatus(id: payment.id, to: target, failureCategory: category)
            trail.step("status updated", detail: "\(payment.status.rawValue) → \(target.rawValue)")
            if let event = domainEvent(for: change, payment: payment, target: target, category: category) {
                try EventStore(connection: connection).append(event)
                trail.step("automation event emitted", detail: event.type)
            }
            return try finish(.processed, trail, objectStatus, amount)
        }
    }

    private func domainEvent(for change: ObservedChange, payment: PaymentRecord, target: PaymentStatus, category: String?) -> DomainEvent? {
        switch (change, target) {
        case (.payment, .succeeded): PaymentEvents.paid(payment)
        case (.payment(let object, _), .canceled): PaymentEvents.failed(payment, category: category ?? "unknown", party: object.cancellation_details?.party)
        case (.refund(let refund), .refunded): refund.amount.money.map { PaymentEvents.refunded(payment, refundID: refund.id, amount: $0) }
        default: nil
        }
    }

    private enum ObservedChange {
        /// The payment as confirmed, and the status the notification's event name reports.
        case payment(YooKassa.Payment, reported: PaymentStatus?)
        /// The refund as confirmed; the notification reports it succeeded.
        case refund(YooKassa.Refund)
        case ignored
    }

    private struct Envelope<Object: Decodable>: Decodable { let object: Object }
}
