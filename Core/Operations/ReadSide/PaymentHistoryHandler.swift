import Base
import Domain
import Logging

/// `payment-history` (`GET /api/v1/payments/history?page=1&page_size=20`): the caller's payments,
/// newest first, a page at a time, with the total. Only for an identified caller. One statement.
package struct PaymentHistoryHandler: StoreReader {
    private let database: Database

    package init(database: Database) { self.database = database }

    /// The most pages one can ask for: bounds the offset the database skips.
    static let pageLimit = 10_000

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        guard let caller = request.caller else {
            throw APIError(
                401, "unauthenticated", "Sign in to see your payments.",
                headers: HTTPHeaders([("WWW-Authenticate", "Bearer")]))
        }
        let page = try Self.number(request.query["page"], "page", default: 1, in: 1...Self.pageLimit)
        let size = try Self.number(request.query["page_size"], "page_size", default: 20, in: 1...100)
        let (payments, total) = try PaymentStore(connection: try database.connection())
            .owned(by: caller, page: page, size: size)
        return .fresh(
            [
                "items": .array(payments.map { PaymentView($0).json }), "page": .int(Int64(page)),
                "page_size": .int(Int64(size)), "total": .int(Int64(total)),
            ])
    }

    /// A query parameter that is a whole number in `range`, or `defaultValue` when absent.
    private static func number(
        _ text: String?, _ name: String, default defaultValue: Int, in range: ClosedRange<Int>
    )
        throws -> Int
    {
        guard let text else { return defaultValue }
        guard text.utf8.count <= 6, text.utf8.allSatisfy(ASCII.isDigit), let value = Int(text), range.contains(value)
        else {
            throw APIError.badRequest(
                "invalid_query", "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }
}
