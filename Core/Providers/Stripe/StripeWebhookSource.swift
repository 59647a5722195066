import Base
import Domain
import FoundationEssentials
import Logging

/// The Stripe side of `stripe-webhook` (`POST /api/webhooks/stripe`): verifies the signature,
/// ignores events from another account or mode, and applies each event once to its deal's
/// payment (forward-only status, one automation event), every step logged with the event's ids
/// and stored on its row.
package struct StripeWebhookSource: WebhookSource {
    let signature: StripeSignature
    let expectedLivemode: Bool?
    let expectedAccount: String?

    package var provider: Provider { .stripe }

    /// `stripe-webhook` as deployed, from `STRIPE_WEBHOOK_SECRET` (comma-separated while rolling),
    /// `STRIPE_WEBHOOK_TOLERANCE`, `STRIPE_EXPECTED_LIVEMODE` and `STRIPE_EXPECTED_ACCOUNT`.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        let config = context.config
        let secrets = Config.secretList(try config.required("STRIPE_WEBHOOK_SECRET"))
        guard !secrets.isEmpty, secrets.allSatisfy(SecretShape.stripeWebhookSecret.matches) else {
            throw ConfigError(
                variable: "STRIPE_WEBHOOK_SECRET",
                problem: "must be one or more comma-separated secrets; each "
                    + SecretShape.stripeWebhookSecret.requirement)
        }
        let cabinet = try reconciling(config)
        let source = StripeWebhookSource(
            signature: StripeSignature(
                secrets: secrets,
                toleranceSeconds: try config.integer("STRIPE_WEBHOOK_TOLERANCE", default: 300, in: 0...86_400)),
            expectedLivemode: cabinet.expectedLivemode, expectedAccount: cabinet.expectedAccount)
        return WebhookPipeline(source: source, database: try context.store())
    }

    /// The source reconciliation applies missed events through: they come from the API's list,
    /// so there is no signature to check; `STRIPE_EXPECTED_*` still apply.
    package static func reconciling(_ config: Config) throws -> StripeWebhookSource {
        StripeWebhookSource(
            signature: StripeSignature(secrets: [], toleranceSeconds: 300),
            expectedLivemode: config.optional("STRIPE_EXPECTED_LIVEMODE") == nil
                ? nil : try config.flag("STRIPE_EXPECTED_LIVEMODE", default: false),
            expectedAccount: config.optional("STRIPE_EXPECTED_ACCOUNT"))
    }

    /// A verified event and what it means for its deal.
    package struct Delivery {
        let event: Stripe.Event
        let reading: StripeReading
    }

    /// Checks the signature before anything in the body is read; the body is decoded once, after
    /// (`decode`), or, for a refusal's log line only, read for the id and type it claims.
    package func authenticate(_ request: HTTPRequest, trail: inout WebhookTrail) throws(WebhookRefusal) -> Verification
    {
        do {
            try signature.verify(header: request.headers["Stripe-Signature"], body: request.body)
            return .signature
        } catch {
            // Never a key, never believed: only for the log and the refusal's count.
            let claimed = try? JSONCoding.decode(Claimed.self, from: request.body)
            received(id: claimed?.id, type: claimed?.type, trail: &trail)
            throw WebhookRefusal(
                reason: .signatureFailed,
                claim: WebhookRejectionStore.Claim(
                    detail: error.reason, eventType: claimed?.type, eventID: claimed?.id),
                error: APIError.badRequest(
                    "signature_verification_failed", "The Stripe-Signature header does not verify: \(error.reason)."),
                message: WebhookStep.signatureFailed.rawValue,
                metadata: [
                    LogKey.stepResult: .string(error.code), LogKey.detail: .string(error.reason),
                    LogKey.hint: .string(error.hint),
                    "keys_tried": .stringConvertible(signature.secretCount), "endpoint": .string(request.path),
                    "expected_livemode": .string(expectedLivemode.map { $0 ? "live" : "test" } ?? "any"),
                ])
        }
    }

    package func decode(
        _ request: HTTPRequest, verification: Verification, trail: inout WebhookTrail
    ) throws -> Delivery {
        guard let event = try? JSONCoding.decode(Stripe.Event.self, from: request.body) else {
            let claimed = try? JSONCoding.decode(Claimed.self, from: request.body)
            received(id: claimed?.id, type: claimed?.type, trail: &trail)
            trail.step(
                .signatureVerified, result: .invalidEvent, detail: "the signed body is not a Stripe event",
                level: .warning)
            throw APIError.badRequest("invalid_event", "The body is not a Stripe event.")
        }
        received(id: event.id, type: event.type, trail: &trail)
        let reading = StripeReading(event)
        trail.identify(LogKey.dealID, reading.dealID ?? "missing")
        if let sessionID = reading.sessionID { trail.identify(LogKey.sessionID, sessionID) }
        if let paymentIntentID = reading.paymentIntentID { trail.identify(LogKey.paymentIntentID, paymentIntentID) }
        trail.step(.signatureVerified)
        return Delivery(event: event, reading: reading)
    }

    /// The first step of every delivery, "Stripe webhook received", with the id and type the body gives.
    private func received(id: String?, type: String?, trail: inout WebhookTrail) {
        trail.identify(LogKey.eventID, id ?? "unknown")
        trail.identify(LogKey.eventType, type ?? "unknown")
        trail.step(.received(.stripe))
    }

    package func arrival(_ delivery: Delivery, verification: Verification) -> WebhookEventStore.Arrival {
        let reading = delivery.reading
        var arrival = WebhookEventStore.Arrival(
            provider: .stripe, eventKey: delivery.event.id, eventType: delivery.event.type,
            objectID: delivery.event.data.object.id, verification: verification)
        arrival.dealID = reading.dealID
        arrival.sessionID = reading.sessionID
        arrival.paymentIntentID = reading.paymentIntentID
        return arrival
    }

    package func answer(_ result: WebhookResult) -> HTTPResponse {
        .json(200, ["received": "true", "outcome": result.outcome.rawValue])
    }

    package func apply(
        _ delivery: Delivery, connection: PGConnection, trail: inout WebhookTrail
    ) throws -> WebhookResult {
        let (event, reading) = (delivery.event, delivery.reading)
        let done = { (outcome: WebhookOutcome, error: String?) in
            WebhookResult(outcome: outcome, objectStatus: reading.objectStatus, amount: reading.amount, error: error)
        }
        if let reason = cabinetMismatch(event) {
            trail.step(.cabinetIgnored, result: .decided(.cabinetIgnored), detail: reason, level: .warning)
            return done(.cabinetIgnored, reason)
        }
        if let refund = reading.refund {
            return try apply(refund, reading: reading, connection: connection, trail: &trail)
        }
        guard let effect = reading.effect else {
            trail.step(.notHandled, result: .decided(.ignored))
            return done(.ignored, nil)
        }
        if reading.dealID == nil {
            trail.step(.dealIDMissing, result: .decided(.dealIDMissing), level: .warning)
        }
        guard let key = reading.paymentKey, let amount = reading.amount, amount.minorUnits > 0 else {
            trail.step(.persisted, result: .noPayment, detail: "the object names no payment and amount")
            return done(reading.dealID == nil ? .dealIDMissing : .processed, nil)
        }

        let recorded = PaymentLedger.Change(
            provider: .stripe, providerPaymentID: key, status: effect.status, amount: amount,
            failureCategory: effect.failureCategory,
            unknown: .recordedAsDeal(dealID: reading.dealID, description: "Stripe \(event.type) \(key)"),
            event: .named(effect.eventType, key: effect.eventKey, payload: reading.eventPayload(event)))
        switch try PaymentLedger(connection: connection).record(recorded, trail: &trail) {
        case .outOfOrder: return done(.outOfOrderIgnored, nil)
        case .applied, .unchanged, .unknownPayment, .amountMismatch, .paidTwice:
            guard reading.dealID != nil else { return done(.dealIDMissing, "deal_id missing from metadata") }
            return done(.processed, nil)
        }
    }

    /// A `refund.*` event: the refund counted once against its payment by the refund ledger.
    private func apply(
        _ refund: ProviderRefund, reading: StripeReading, connection: PGConnection, trail: inout WebhookTrail
    ) throws -> WebhookResult {
        let outcome = try RefundLedger(connection: connection).record(
            refund, ofPayment: reading.paymentKey, at: .stripe, trail: &trail)
        return WebhookResult(outcome: outcome, objectStatus: reading.objectStatus, amount: reading.amount)
    }

    /// Why an event belongs to another Stripe account or mode, or nil when it is ours.
    private func cabinetMismatch(_ event: Stripe.Event) -> String? {
        if let expectedLivemode, event.livemode != expectedLivemode {
            return
                "event is \(event.livemode ? "live" : "test") mode, this endpoint expects \(expectedLivemode ? "live" : "test")"
        }
        if let expectedAccount, event.account != expectedAccount {
            return "event is from account \(event.account ?? "the platform"), this endpoint expects \(expectedAccount)"
        }
        return nil
    }

    /// The id and type a body claims, read when it is refused or is not a whole event: only for the log.
    private struct Claimed: Decodable {
        let id: String?
        let type: String?
    }
}
