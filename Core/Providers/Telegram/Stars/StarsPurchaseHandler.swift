import Base
import Domain
import Logging

/// `stars-purchase` (`POST /api/v1/purchase`), mock mode only: completes a purchase as if the
/// buyer had paid. Idempotent; another user's purchase is refused.
package struct StarsPurchaseHandler: Handler {
    private let setup: StarsSetup

    package init(setup: StarsSetup) { self.setup = setup }

    package static func make(_ context: FunctionContext) throws -> any Handler {
        StarsPurchaseHandler(setup: try StarsSetup(context))
    }

    package var browserFacing: Bool { true }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        guard setup.mode.isMock else {
            throw APIError(
                403, "mock_payments_disabled",
                "Purchases are completed by Telegram here; this endpoint works with MOCK_PAYMENTS=true only.")
        }
        let input = try StarsRequest.parse(request.body, caller: request.caller)
        guard let purchaseID = input.purchaseID else {
            throw APIError.badRequest("missing_field", "purchase_id is required.")
        }
        var log = logger
        log[metadataKey: "purchase_id"] = .string(purchaseID)
        let connection = try setup.database.connection()
        let purchases = PurchaseStore(connection: connection)
        let ledger = PurchaseLedger(connection: connection)
        let (purchase, repeated) = try connection.transaction { () throws -> (PurchaseRecord, Bool) in
            for _ in 0..<3 {
                if let existing = try purchases.lock(purchaseID) {
                    guard existing.belongs(to: input.userID, caller: request.caller) else {
                        throw existing.refuseOtherUser(input.userID, logName: "purchase_user_mismatch", logger: log)
                    }
                    switch existing.status {
                    case .succeeded:
                        return (existing, true)
                    case .failed:
                        throw APIError.conflict("purchase_not_pending", "This purchase has failed; start a new one.")
                    case .refunded:
                        throw APIError.conflict("purchase_not_pending", "This purchase was refunded; start a new one.")
                    case .pending:
                        guard let done = try ledger.succeedMock(existing) else { return (existing, true) }
                        return (done, false)
                    }
                }
                let item = try input.item(in: setup.catalog)
                if let inserted = try ledger.recordMock(
                    id: purchaseID, userID: input.userID, item: item, ownerID: request.caller)
                {
                    return (inserted, false)
                }
            }
            throw StoreError(.unexpectedResult, detail: "purchase neither found nor inserted")
        }
        let succeeded = DomainEventType.purchaseSucceeded.rawValue
        log.info("\(succeeded)\(repeated ? "_idempotent" : "")")
        return .json(200, PurchaseAnswer(purchase))
    }
}
