import FoundationEssentials
import Logging

/// `stripe-webhook` (`POST /api/webhooks/stripe`): verifies the signature, ignores events from
/// another account or mode, and applies each event once: the `webhook_events` row (unique on the
/// event id), the payment's forward-only status and the automation event for the deal commit in
/// one transaction. Every step is logged with the event's ids and stored on its row.
public struct StripeWebhookHandler: Handler {
    private let signature: StripeSignature
    private let expectedLivemode: Bool?
    private let expectedAccount: String?
    private let database: Database

    public init(signature: StripeSignature, expectedLivemode: Bool?, expectedAccount: String?, database: Database) {
        self.signature = signature
        self.expectedLivemode = expectedLivemode
        self.expectedAccount = expectedAccount
        self.database = database
    }

    /// The function as deployed, from `STRIPE_WEBHOOK_SECRET` (comma-separated while rolling),
    /// `STRIPE_WEBHOOK_TOLERANCE`, `STRIPE_EXPECTED_LIVEMODE` and `STRIPE_EXPECTED_ACCOUNT`.
    public static func make(_ context: FunctionContext) throws -> any Handler {
        let config = context.config
        let secrets = try config.required("STRIPE_WEBHOOK_SECRET").split(separator: ",").map { String($0).trimmingSpaces }
            .filter { !$0.isEmpty }
        guard !secrets.isEmpty, secrets.allSatisfy(SecretShape.stripeWebhookSecret.matches) else {
            throw ConfigError(variable: "STRIPE_WEBHOOK_SECRET", problem: "must be one or more comma-separated secrets; each "
                + SecretShape.stripeWebhookSecret.requirement)
        }
        return StripeWebhookHandler(
            signature: StripeSignature(secrets: secrets, toleranceSeconds: try config.integer("STRIPE_WEBHOOK_TOLERANCE", default: 300, in: 0...86_400)),
            expectedLivemode: config.optional("STRIPE_EXPECTED_LIVEMODE") == nil ? nil : try config.flag("STRIPE_EXPECTED_LIVEMODE", default: false),
            expectedAccount: config.optional("STRIPE_EXPECTED_ACCOUNT"),
            database: try context.store())
    }

    public func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        let claimed = try? JSONCoding.decode(Claimed.self, from: request.body)
        var trail = WebhookTrail(logger: logger, ids: ["eventId": claimed?.id ?? "unknown", "type": claimed?.type ?? "unknown"])
        trail.step("Stripe webhook received")
        do {
            try signature.verify(header: request.headers["Stripe-Signature"], body: request.body)
        } catch {
            throw refuseSignature(error, claimed: claimed, request: request, trail: &trail)
        }
        guard let event = try? JSONCoding.decode(Stripe.Event.self, from: request.body) else {
            trail.step("signature verified", outcome: "invalid_event", detail: "the signed body is not a Stripe event", level: .warning)
            throw APIError.badRequest("invalid_event", "The body is not a Stripe event.")
        }
        let change = StripeChange(event)
        trail.identify("dealId", change.dealID ?? "missing")
        if let sessionID = change.sessionID { trail.identify("sessionId", sessionID) }
        if let paymentIntentID = change.paymentIntentID { trail.identify("paymentIntentId", paymentIntentID) }
        trail.step("signature verified")

        var arrival = WebhookEventStore.Arrival(provider: "stripe", eventKey: event.id, eventType: event.type,
                                                objectID: event.data.object.id, verification: "signature")
        arrival.dealID = change.dealID
        arrival.sessionID = change.sessionID
        arrival.paymentIntentID = change.paymentIntentID

        let connection = try database.connection()
        let (outcome, done) = try trail.transaction(on: connection) { attempt in
            try apply(change, event: event, arrival: arrival, connection: connection, trail: &attempt)
        }
        done.log.info("Stripe webhook done", metadata: ["outcome": .string(outcome.rawValue)])
        return .json(200, ["received": "true", "outcome": outcome.rawValue])
    }

    /// Logs and counts a delivery whose signature failed; returns its 400.
    private func refuseSignature(_ failure: StripeSignature.Failure, claimed: Claimed?, request: HTTPRequest,
                                 trail: inout WebhookTrail) -> APIError {
        trail.step("signature verification failed", outcome: failure.code, detail: failure.reason, level: .warning, extra: [
            "hint": .string(failure.hint), "keys_tried": .stringConvertible(signature.secretCount), "endpoint": .string(request.path),
            "expected_livemode": .string(expectedLivemode.map { $0 ? "live" : "test" } ?? "any"),
        ])
        let claim = WebhookRejectionStore.Claim(detail: failure.reason, eventType: claimed?.type, eventID: claimed?.id)
        WebhookRejectionStore.count(.stripe, .signatureFailed, claim: claim, database: database, logger: trail.log)
        return APIError.badRequest("signature_verification_failed", "The Stripe-Signature header does not verify: \(failure.reason).")
    }

    /// Claims the event and applies it; runs inside the transaction.
    private func apply(_ change: StripeChange, event: Stripe.Event, arrival: WebhookEventStore.Arrival,
                       connection: PGConnection, trail: inout WebhookTrail) throws -> WebhookOutcome {
        let events = WebhookEventStore(connection: connection)
        let claim = try events.claim(arrival)
        if let previous = claim.previousOutcome, !previous.reappliable {
            trail.step("deduplicated", outcome: "duplicate", detail: "delivery \(claim.deliveries), first outcome \(previous)")
            return .duplicate
        }
        trail.step("deduplicated", outcome: "new")
        let finish = { (outcome: WebhookOutcome, trail: WebhookTrail, error: String?) in
            try events.finish(claim, outcome: outcome, trail: trail, error: error, objectStatus: change.objectStatus,
                              amount: change.amount, verification: "signature")
            return outcome
        }

        if let reason = cabinetMismatch(event) {
            trail.step("Events cabinet ignored", outcome: "cabinet_ignored", detail: reason, level: .warning)
            return try finish(.cabinetIgnored, trail, reason)
        }
        guard let effect = change.effect else {
            trail.step("event type not handled", outcome: "ignored")
            return try finish(.ignored, trail, nil)
        }
        if change.dealID == nil {
            trail.step("deal_id missing from metadata", outcome: "deal_id_missing", level: .warning)
        }
        guard let key = change.paymentKey, let amount = change.amount, amount.minorUnits > 0 else {
            trail.step("persisted", outcome: "no_payment", detail: "the object names no payment and amount")
            return try finish(change.dealID == nil ? .dealIDMissing : .processed, trail, nil)
        }

        let payments = PaymentStore(connection: connection)
        let description = "Stripe \(event.type) \(key)"
        var payment: PaymentRecord
        var moved: PaymentStatus.Transition
        if let existing = try payments.lock(provider: "stripe", providerPaymentID: key) {
            payment = existing
            moved = effect.status.map { existing.status.transition(to: $0) } ?? .unchanged
        } else if let inserted = try payments.insertDeal(providerPaymentID: key, status: effect.status ?? .pending, amount: amount,
                                                         dealID: change.dealID, description: description) {
            payment = inserted
            moved = effect.status == nil ? .unchanged : .advance
        } else {
            payment = try payments.lock(provider: "stripe", providerPaymentID: key)!
            moved = effect.status.map { payment.status.transition(to: $0) } ?? .unchanged
        }
        trail.identify("payment_id", payment.id.uuidString.lowercased())
        trail.step("persisted", detail: "payment \(payment.status.rawValue)")

        if moved == .outOfOrder {
            trail.step("status not moved back", outcome: "out_of_order_ignored", detail: "\(payment.status.rawValue) stays")
            return try finish(.outOfOrderIgnored, trail, nil)
        }
        if moved == .advance, let target = effect.status, payment.status != target {
            try payments.setStatus(id: payment.id, to: target, failureCategory: effect.failureCategory)
            trail.step("status updated", detail: "\(payment.status.rawValue) → \(target.rawValue)")
            payment = try payments.find(id: payment.id) ?? payment
        } else if moved == .advance {
            trail.step("status updated", detail: "recorded as \(payment.status.rawValue)")
        }
        guard change.dealID != nil else { return try finish(.dealIDMissing, trail, "deal_id missing from metadata") }
        if moved == .advance || effect.status == nil {
            let domain = PaymentEvents.other(effect.eventType, payment, key: effect.eventKey, extra: change.eventPayload(event))
            if try EventStore(connection: connection).append(domain) {
                trail.step("automation event emitted", detail: effect.eventType)
            }
        }
        return try finish(.processed, trail, nil)
    }

    /// Why an event belongs to another Stripe account or mode, or nil when it is ours.
    private func cabinetMismatch(_ event: Stripe.Event) -> String? {
        if let expectedLivemode, event.livemode != expectedLivemode {
            return "event is \(event.livemode ? "live" : "test") mode, this endpoint expects \(expectedLivemode ? "live" : "test")"
        }
        if let expectedAccount, event.account != expectedAccount {
            return "event is from account \(event.account ?? "the platform"), this endpoint expects \(expectedAccount)"
        }
        return nil
    }

    /// The id and type read before the signature is checked: only for logging a refusal.
    private struct Claimed: Decodable {
        let id: String?
        let type: String?
    }
}
