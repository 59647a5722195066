import Base
import FoundationEssentials

/// The domain events of a payment's life, each keyed so it is stored at most once.
package enum PaymentEvents {
    /// `payment_started`: the YooKassa payment exists and the buyer can be sent to pay.
    package static func started(_ payment: PaymentRecord) -> DomainEvent {
        event(.paymentStarted, payment, extra: ["provider": .string(Provider.yookassa.rawValue)])
    }

    /// Any other event about a payment, keyed by `key` (e.g. a Stripe event id) when given.
    package static func other(
        _ type: DomainEventType, _ payment: PaymentRecord, key: String? = nil, extra: [String: JSONValue] = [:]
    ) -> DomainEvent {
        event(type, payment, key: key, extra: extra)
    }

    /// `booking_paid`, `subscription_paid` (with the period it bought) or `deal_paid`, once per payment.
    package static func paid(_ payment: PaymentRecord, period: SubscriptionPeriod? = nil) -> DomainEvent {
        switch payment.purpose {
        case .booking: event(.bookingPaid, payment)
        case .subscription: event(.subscriptionPaid, payment, extra: period?.payload ?? [:])
        case .deal: event(.dealPaid, payment)
        }
    }

    /// `booking_paid_twice`, once per payment: it paid a booking that `paidBefore` had paid already.
    package static func paidTwice(_ payment: PaymentRecord, paidBefore: UUID) -> DomainEvent {
        event(.bookingPaidTwice, payment, extra: ["paid_before": .string(paidBefore.uuidString.lowercased())])
    }

    /// `subscription_revoked`: the period a refunded payment bought, and the subscription's new end.
    package static func revoked(_ payment: PaymentRecord, period: SubscriptionPeriod) -> DomainEvent {
        event(.subscriptionRevoked, payment, key: "revoked", extra: period.payload)
    }

    /// `payment_failed` with the cancellation's category, once per payment.
    package static func failed(_ payment: PaymentRecord, category: String, party: String?) -> DomainEvent {
        event(
            .paymentFailed, payment,
            extra: ["failure_category": .string(category), "party": party.map(JSONValue.string) ?? .null])
    }

    /// `payment_refunded` (`deal_refunded` for a Stripe deal), once per refund, when it succeeds:
    /// its amount, all refunded so far, and whether that is the whole payment.
    package static func refunded(_ payment: PaymentRecord, refund: RefundRecord, full: Bool) -> DomainEvent {
        let refundID = refund.providerRefundID ?? refund.id.uuidString.lowercased()
        let type: DomainEventType = if case .deal = payment.purpose { .dealRefunded } else { .paymentRefunded }
        return event(
            type, payment, key: refundID,
            extra: [
                "refund_id": .string(refundID), "refund_amount_minor": .int(refund.amount.minorUnits),
                "amount_refunded_minor": .int(payment.amountRefunded), "full": .bool(full),
            ])
    }

    private static func event(
        _ type: DomainEventType, _ payment: PaymentRecord, key: String? = nil, extra: [String: JSONValue] = [:]
    ) -> DomainEvent {
        let id = payment.id.uuidString.lowercased()
        var payload: [String: JSONValue] = [
            "payment_id": .string(id),
            "provider_payment_id": payment.providerPaymentID.map(JSONValue.string) ?? .null,
            "amount_minor": .int(payment.amount.minorUnits),
            "currency": .string(payment.amount.currency.code),
        ]
        switch payment.purpose {
        case .booking(let appointmentID, let slug, let kind):
            payload["appointment_id"] = .string(appointmentID)
            payload["service_slug"] = .string(slug)
            payload["kind"] = .string(kind.rawValue)
        case .subscription(let planID, let userID):
            payload["plan_id"] = .string(planID)
            payload["user_id"] = .string(userID)
        case .deal(let dealID):
            payload["deal_id"] = dealID.map(JSONValue.string) ?? .null
        }
        if let invoiceNumber = payment.invoiceNumber { payload["invoice_number"] = .string(invoiceNumber) }
        payload.merge(extra) { _, new in new }
        return DomainEvent(
            type: type, aggregateType: .payment, aggregateID: id, payload: .object(payload),
            dedupKey: "\(type):\(id)" + (key.map { ":\($0)" } ?? ""))
    }
}
