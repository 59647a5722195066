import Base
import Domain
import Logging
import Providers

/// `get-purchase` (`GET /api/v1/purchase/{purchase_id}`): a Stars purchase's status for the mini
/// app. One statement. A purchase another caller owns is not found.
package struct GetPurchaseHandler: StoreReader {
    private let database: Database

    package init(database: Database) { self.database = database }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        let id = request.lastPathSegment
        guard (1...BoundedText.idLimit).contains(id.utf8.count), id.utf8.allSatisfy(ASCII.isToken),
            let purchase = try PurchaseStore(connection: try database.connection()).find(String(id)),
            purchase.allows(request.caller)
        else {
            throw APIError.notFound("purchase_not_found", "No purchase with this id is yours to see.")
        }
        return .fresh(PurchaseView(purchase))
    }

    private struct PurchaseView: Encodable {
        let purchase_id: String
        let status: String
        let item_id: String
        let amount: AmountBody
        let created_at: String
        let succeeded_at: String?

        init(_ purchase: PurchaseRecord) {
            purchase_id = purchase.id
            status = purchase.status.rawValue
            item_id = purchase.itemID
            amount = AmountBody(purchase.price)
            created_at = purchase.createdAt
            succeeded_at = purchase.succeededAt
        }
    }
}
