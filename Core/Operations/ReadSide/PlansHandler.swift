import Base
import Domain
import Logging
import Providers

/// `plans` (`GET /plans`): the subscription plans on sale, from the catalog, cheapest first.
/// No database.
package struct PlansHandler: Handler {
    private let answer: HTTPResponse

    package init(catalog: Catalog) {
        let plans = catalog.plans.values
            .sorted { ($0.price.minorUnits, $0.id) < ($1.price.minorUnits, $1.id) }
            .map { Plan(id: $0.id, name: $0.title, price: AmountBody($0.price), period_days: $0.periodDays) }
        var answer = HTTPResponse.json(200, Plans(plans: plans))
        answer.headers.set("Cache-Control", "public, max-age=300")
        self.answer = answer
    }

    package static func make(_ context: FunctionContext) throws -> any Handler {
        PlansHandler(catalog: try context.catalog())
    }

    package var method: HTTPMethod { .get }
    package var browserFacing: Bool { true }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse { answer }

    private struct Plans: Encodable { let plans: [Plan] }
    private struct Plan: Encodable {
        let id: String
        let name: String
        let price: AmountBody
        let period_days: Int
    }
}
