import Base
import Domain
import FoundationEssentials
import Logging

/// `get-payment` (`GET /api/v1/payments/{payment_id}`): what a frontend polls when the buyer
/// comes back from paying. One statement. A payment another caller owns is not found, never
/// forbidden: ids are not confirmed to strangers.
package struct GetPaymentHandler: StoreReader {
    private let database: Database

    package init(database: Database) { self.database = database }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        guard let id = UUID(uuidString: String(request.lastPathSegment)),
            let payment = try PaymentStore(connection: try database.connection()).find(id: id),
            payment.allows(request.caller)
        else {
            throw APIError.notFound("payment_not_found", "No payment with this id is yours to see.")
        }
        return .fresh(PaymentView(payment).json)
    }
}
