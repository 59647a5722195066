import Base
import Domain
import FoundationEssentials
import Logging

/// `stars-invoice` (`POST /api/v1/purchase/invoice`): creates or reuses a pending purchase and
/// its pay link: a mock link with `MOCK_PAYMENTS=true`, or Telegram's `createInvoiceLink`
/// with `TELEGRAM_STARS_ENABLED=true`. The price in Stars comes from the catalog.
package struct StarsInvoiceHandler: Handler {
    private let setup: StarsSetup

    package init(setup: StarsSetup) { self.setup = setup }

    package static func make(_ context: FunctionContext) throws -> any Handler {
        try IdempotentHandler(wrapping: StarsInvoiceHandler(setup: try StarsSetup(context)), context: context)
    }

    package var browserFacing: Bool { true }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        let input = try StarsRequest.parse(request.body, caller: request.caller)
        if case .disabled = setup.mode { throw StarsMode.disabledError }
        let item = try input.item(in: setup.catalog)
        let connection = try setup.database.connection()
        let purchases = PurchaseStore(connection: connection)
        var log = logger
        let (found, created) = try connection.transaction {
            try openOrCreate(
                input, caller: request.caller, item: item, purchases: purchases, connection: connection, logger: logger)
        }
        var purchase = found
        log[metadataKey: "purchase_id"] = .string(purchase.id)
        if purchase.status == .pending, purchase.payURL == nil {
            let url = try payURL(for: purchase, item: item, logger: log)
            purchase = try purchases.setPayURL(purchase.id, url) ?? purchase
        }
        let event = created ? DomainEventType.purchaseInvoiceCreated : .purchaseInvoiceReused
        log.info(
            "\(event.rawValue)",
            metadata: ["status": .string(purchase.status.rawValue)])
        return .json(created ? 201 : 200, PurchaseAnswer(purchase))
    }

    /// The purchase to invoice, with its event; true when new. Runs inside the transaction.
    private func openOrCreate(
        _ input: StarsRequest, caller: String?, item: Catalog.Item, purchases: PurchaseStore, connection: PGConnection,
        logger: Logger
    ) throws -> (PurchaseRecord, Bool) {
        let events = EventStore(connection: connection)
        for _ in 0..<3 {
            let existing =
                try input.purchaseID.map { try purchases.lock($0) }
                ?? purchases.pending(userID: input.userID, itemID: item.id)
            if let existing {
                guard existing.belongs(to: input.userID, caller: caller), existing.itemID == item.id else {
                    throw existing.refuseOtherUser(
                        input.userID, logName: "purchase_invoice_user_mismatch", logger: logger)
                }
                guard existing.status != .failed else {
                    throw APIError.conflict("purchase_not_pending", "This purchase has failed; start a new one.")
                }
                if existing.status == .pending { try events.append(PurchaseEvents.invoiceReused(existing)) }
                return (existing, false)
            }
            let id = input.purchaseID ?? UUID().uuidString.lowercased()
            if let inserted = try purchases.insert(
                id: id, userID: input.userID, item: item, status: .pending, ownerID: caller)
            {
                try events.append(PurchaseEvents.invoiceCreated(inserted, mode: setup.mode.name))
                return (inserted, true)
            }
            if input.purchaseID != nil, let pending = try purchases.pending(userID: input.userID, itemID: item.id) {
                // A new id while this user already has a pending invoice for the item: that one is reused.
                guard pending.belongs(to: input.userID, caller: caller) else {
                    throw pending.refuseOtherUser(
                        input.userID, logName: "purchase_invoice_user_mismatch", logger: logger)
                }
                try events.append(PurchaseEvents.invoiceReused(pending))
                return (pending, false)
            }
        }
        throw StoreError(.unexpectedResult, detail: "purchase neither found nor inserted")
    }

    private func payURL(for purchase: PurchaseRecord, item: Catalog.Item, logger: Logger) throws -> String {
        switch setup.mode {
        case .mock:
            return "mock://telegram-stars/pay/\(purchase.id)"
        case .live(let telegram):
            do {
                return try telegram.createInvoiceLink(
                    title: item.title, description: item.description, payload: purchase.id,
                    stars: purchase.price.minorUnits, logger: logger)
            } catch {
                logger.warning(
                    "invoice link not made; the purchase stays pending for a retry",
                    metadata: ["failure": .string("\(error)")])
                throw error.apiError
            }
        case .disabled:
            throw StarsMode.disabledError
        }
    }
}
