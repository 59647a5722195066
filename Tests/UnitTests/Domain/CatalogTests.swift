import Core
import Testing

@Suite struct CatalogTests {
    @Test func shippedCatalogHasTheSpecPlans() throws {
        let catalog = try Catalog.load(path: Repo.path("catalog.json"))
        #expect(catalog.plans["basic"]?.price == Money(minorUnits: 29_900, currency: .rub))
        #expect(catalog.plans["premium"]?.price == Money(minorUnits: 59_900, currency: .rub))
        #expect(catalog.plans["family"]?.price == Money(minorUnits: 89_900, currency: .rub))
        #expect(catalog.plans.values.allSatisfy { $0.periodDays == 30 })
        #expect(catalog.services["haircut"]?.deposit == Money(minorUnits: 50_000, currency: .rub))
        #expect(catalog.items["hint-pack"]?.price == Money(minorUnits: 50, currency: .xtr))
    }

    static func wrapper(_ services: String, _ plans: String, _ items: String) -> [UInt8] {
        Array(#"{"services":[\#(services)],"plans":[\#(plans)],"items":[\#(items)]}"#.utf8)
    }

    @Test(arguments: [
        // A deposit above the full price.
        wrapper(
            #"{"slug":"a","title":"A","full":{"amount":"1.00","currency":"RUB"},"deposit":{"amount":"2.00","currency":"RUB"}}"#,
            "", ""),
        // A floating-point price.
        wrapper("", #"{"id":"p","title":"P","price":{"amount":2.99,"currency":"RUB"},"period_days":30}"#, ""),
        // Too many decimals.
        wrapper("", #"{"id":"p","title":"P","price":{"amount":"2.999","currency":"RUB"},"period_days":30}"#, ""),
        // A repeated id.
        wrapper(
            "",
            #"{"id":"p","title":"P","price":{"amount":"1.00","currency":"RUB"},"period_days":30},{"id":"p","title":"Q","price":{"amount":"1.00","currency":"RUB"},"period_days":30}"#,
            ""),
        // A Stars item priced in roubles.
        wrapper("", "", #"{"id":"i","title":"I","description":"D","price":{"amount":"5.00","currency":"RUB"}}"#),
        // A zero price.
        wrapper("", "", #"{"id":"i","title":"I","description":"D","price":{"amount":"0","currency":"XTR"}}"#),
        Array("not json".utf8),
    ])
    func badCatalogsAreRefused(_ bytes: [UInt8]) {
        #expect(throws: Catalog.LoadError.self) { try Catalog.parse(bytes) }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: Catalog.LoadError.self) { try Catalog.load(path: "/nonexistent/catalog.json") }
    }
}
