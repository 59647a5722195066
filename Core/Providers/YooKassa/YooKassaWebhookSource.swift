import Base
import Domain
import FoundationEssentials
import Logging

/// The YooKassa side of `yookassa-webhook` (`POST /api/webhooks/yookassa`). Notifications are not
/// signed, so authenticity comes from the source address and/or from reading the object back from
/// the API, whose answer is then the truth. An event the API has not reached (a `payment.succeeded`
/// for a payment the API still calls pending) is `not_confirmed`: the API's truth is applied and the
/// event's key stays open for the real notification.
package struct YooKassaWebhookSource: WebhookSource {
    /// `YOOKASSA_WEBHOOK_VERIFY`.
    enum Mode: String, CaseIterable, Sendable {
        case ip
        case api
        case ipAndAPI = "ip+api"
        case none

        var checksSource: Bool { self == .ip || self == .ipAndAPI }
        var asksAPI: Bool { self == .api || self == .ipAndAPI }
        var verification: Verification { Verification(rawValue: rawValue) ?? .none }
    }

    let mode: Mode
    let networks: [IPNetwork]
    let clientAddress: ClientAddress
    let yookassa: YooKassaClient?

    package var provider: Provider { .yookassa }

    /// `yookassa-webhook` as deployed, from `YOOKASSA_WEBHOOK_VERIFY` (default `ip+api`),
    /// `YOOKASSA_TRUSTED_NETWORKS`, `TRUSTED_PROXIES` and the YooKassa API settings.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        let config = context.config
        let mode = try config.choice("YOOKASSA_WEBHOOK_VERIFY", default: Mode.ipAndAPI)
        let source = YooKassaWebhookSource(
            mode: mode,
            networks: try networkList(config, "YOOKASSA_TRUSTED_NETWORKS") ?? YooKassaNetworks.published,
            clientAddress: ClientAddress(trustedProxies: try networkList(config, "TRUSTED_PROXIES") ?? []),
            yookassa: mode.asksAPI ? try YooKassaClient(config: config) : nil)
        return WebhookPipeline(source: source, database: try context.store())
    }

    /// The source changes read from the API are applied through (reconciliation, a payment open
    /// past its confirmation window): the objects come from the API, so nothing is authenticated
    /// or read back again.
    private static var reading: YooKassaWebhookSource {
        YooKassaWebhookSource(mode: .api, networks: [], clientAddress: ClientAddress(trustedProxies: []), yookassa: nil)
    }

    /// Runs a change read from YooKassa's API through the webhook pipeline under its
    /// notification's key, recorded with verification `reconcile`: the notification arriving
    /// later, or a second reading, is a duplicate.
    static func recordFound(_ delivery: Delivery, database: Database, logger: Logger) throws -> WebhookOutcome {
        let source = reading
        return try WebhookPipeline(source: source, database: database).record(
            delivery, arrival: source.arrival(delivery, verification: .reconcile),
            trail: WebhookTrail(logger: logger, provider: .yookassa)
        ).outcome
    }

    /// A payment YooKassa's API says reached `status`, as its `payment.<status>` notification.
    static func found(_ object: YooKassa.Payment, status: PaymentStatus) -> Delivery {
        let notification = YooKassa.Notification(
            event: "payment.\(status.rawValue)", object: .init(id: object.id, payment_id: nil), payment: object)
        return Delivery(notification: notification, reading: .payment(object, reported: status))
    }

    private static func networkList(_ config: Config, _ name: String) throws -> [IPNetwork]? {
        guard let text = config.optional(name) else { return nil }
        guard let networks = IPNetwork.list(text) else {
            throw ConfigError(variable: name, problem: "must be a comma-separated list of IP addresses or CIDR ranges")
        }
        return networks
    }

    /// A notification with its confirmed change.
    package struct Delivery {
        let notification: YooKassa.Notification
        let reading: YooKassaReading
    }

    package func authenticate(_ request: HTTPRequest, trail: inout WebhookTrail) throws(WebhookRefusal) -> Verification
    {
        if mode.checksSource {
            let address = clientAddress.resolve(request)
            guard let address, networks.contains(address) else {
                let source = address?.description ?? request.clientIP ?? "unknown"
                throw WebhookRefusal(
                    reason: .untrustedSource, claim: WebhookRejectionStore.Claim(detail: "from \(source)"),
                    error: APIError(
                        403, "untrusted_source", "Notifications are accepted from YooKassa's networks only."),
                    message: "YooKassa webhook from an untrusted source",
                    metadata: [
                        "client_ip": .string(source),
                        LogKey.hint: "behind a proxy, set TRUSTED_PROXIES; check YOOKASSA_TRUSTED_NETWORKS",
                    ])
            }
        }
        return mode.verification
    }

    package func decode(
        _ request: HTTPRequest, verification: Verification, trail: inout WebhookTrail
    ) throws -> Delivery {
        guard let notification = try? JSONCoding.decode(YooKassa.Notification.self, from: request.body),
            notification.type == "notification"
        else {
            trail.log.warning("YooKassa webhook body is not a notification")
            throw APIError.badRequest("invalid_notification", "The body is not a YooKassa notification.")
        }
        trail.identify(LogKey.eventType, notification.event)
        trail.identify(LogKey.objectID, notification.object.id)
        trail.step(.received(.yookassa))
        return Delivery(
            notification: notification, reading: try confirmedReading(notification, trail: &trail))
    }

    package func arrival(_ delivery: Delivery, verification: Verification) -> WebhookEventStore.Arrival {
        let notification = delivery.notification
        return WebhookEventStore.Arrival(
            provider: .yookassa, eventKey: "\(notification.event):\(notification.object.id)",
            eventType: notification.event, objectID: notification.object.id, verification: verification)
    }

    /// What the notification says happened, confirmed by the API when so configured.
    private func confirmedReading(
        _ notification: YooKassa.Notification, trail: inout WebhookTrail
    ) throws -> YooKassaReading {
        let id = notification.object.id
        let log = trail.log
        switch notification.event {
        case "payment.waiting_for_capture", "payment.succeeded", "payment.canceled":
            let claimed = notification.payment
            let payment = try confirm(claimed, trail: &trail) { (client) throws(YooKassaError) in
                try client.payment(id: id, logger: log)
            }
            if let claimed, claimed.status != payment.status {
                trail.step(
                    .statusConfirmed, result: .differs,
                    detail: "notification said \(claimed.status), YooKassa says \(payment.status)",
                    level: .warning)
            }
            return .payment(
                payment, reported: PaymentStatus(rawValue: String(notification.event.dropFirst("payment.".count))))
        case "refund.succeeded":
            let claimed = notification.refund
            return .refund(
                try confirm(claimed, trail: &trail) { (client) throws(YooKassaError) in
                    try client.refund(id: id, logger: log)
                })
        default:
            return .ignored
        }
    }

    /// The API's object when verification asks the API; otherwise the notification's own.
    private func confirm<Object>(
        _ claimed: Object?, trail: inout WebhookTrail,
        fetch: (YooKassaClient) throws(YooKassaError) -> Object
    ) throws -> Object {
        guard let yookassa else {
            guard let claimed else {
                throw APIError.badRequest("invalid_notification", "The notification's object is incomplete.")
            }
            return claimed
        }
        do {
            let object = try fetch(yookassa)
            trail.step(.confirmedWithAPI)
            return object
        } catch .rejected(404, _, _) {
            trail.step(.confirmedWithAPI, result: .notFound, level: .warning)
            throw APIError(
                403, "notification_not_confirmed", "YooKassa does not know the object this notification names.")
        } catch {
            trail.step(.confirmedWithAPI, result: .unavailable, detail: "\(error)", level: .error)
            throw APIError(
                503, "verification_unavailable",
                "The notification could not be confirmed with YooKassa; it will be redelivered.",
                headers: HTTPHeaders([("Retry-After", "10")]))
        }
    }

    package func apply(
        _ delivery: Delivery, connection: PGConnection, trail: inout WebhookTrail
    ) throws -> WebhookResult {
        switch delivery.reading {
        case .payment(let payment, let reported):
            return try apply(payment, reported: reported, connection: connection, trail: &trail)
        case .refund(let refund):
            return try apply(refund, connection: connection, trail: &trail)
        case .ignored:
            trail.step(.notHandled, result: .decided(.ignored))
            return WebhookResult(outcome: .ignored)
        }
    }

    /// A payment's new status, applied forward only, with its domain event.
    private func apply(
        _ object: YooKassa.Payment, reported: PaymentStatus?, connection: PGConnection, trail: inout WebhookTrail
    ) throws -> WebhookResult {
        // Whether the API has reached what the event reports: only then may the event's key be
        // settled for good; otherwise the API's truth is applied and the key stays open.
        var confirmed = true
        let amount = object.amount.money
        let done = { (outcome: WebhookOutcome) in
            WebhookResult(
                outcome: confirmed || outcome.severity == .problem ? outcome : .notConfirmed,
                objectStatus: object.status, amount: amount)
        }
        guard let target = PaymentStatus(rawValue: object.status) else {
            trail.step(.statusRead, result: .decided(.unknownStatus), detail: object.status, level: .error)
            return done(.unknownStatus)
        }
        if let reported, !target.hasReached(reported) {
            trail.step(
                .eventConfirmed, result: .decided(.notConfirmed),
                detail: "the event reports \(reported.rawValue), the payment is \(target.rawValue)", level: .warning)
            confirmed = false
        }
        let change = PaymentLedger.Change(
            provider: .yookassa, providerPaymentID: object.id, status: target, amount: amount,
            failureCategory: target == .canceled ? object.cancellation_details?.reason ?? "unknown" : nil,
            failureParty: object.cancellation_details?.party, unknown: .refused, event: .forStatus)
        switch try PaymentLedger(connection: connection).record(change, trail: &trail) {
        case .applied: return done(.processed)
        case .unchanged: return done(.noChange)
        case .outOfOrder: return done(.outOfOrderIgnored)
        case .unknownPayment: return done(.unknownPayment)
        case .amountMismatch: return done(.amountMismatch)
        case .paidTwice: return done(.refundDue)
        }
    }

    /// A refund that succeeded, counted once against its payment (made here or in YooKassa's
    /// dashboard). A notification whose refund the API still calls pending is `not_confirmed`.
    private func apply(
        _ object: YooKassa.Refund, connection: PGConnection, trail: inout WebhookTrail
    ) throws
        -> WebhookResult
    {
        let amount = object.amount.money
        guard object.status == RefundStatus.succeeded.rawValue else {
            trail.step(
                .eventConfirmed, result: .decided(.notConfirmed),
                detail: "the event reports succeeded, the refund is \(object.status)", level: .warning)
            return WebhookResult(outcome: .notConfirmed, objectStatus: object.status, amount: amount)
        }
        guard let refund = object.providerRefund else {
            trail.step(.amountChecked, result: .decided(.amountMismatch), detail: "unreadable amount", level: .error)
            return WebhookResult(outcome: .amountMismatch, objectStatus: object.status)
        }
        let outcome = try RefundLedger(connection: connection).record(
            refund, ofPayment: object.payment_id, at: .yookassa, trail: &trail)
        return WebhookResult(outcome: outcome, objectStatus: object.status, amount: amount)
    }
}
