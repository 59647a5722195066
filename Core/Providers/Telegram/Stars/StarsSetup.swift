import Base
import Domain

/// What `stars-invoice` and `stars-purchase` are built from.
package struct StarsSetup {
    package let catalog: Catalog
    package let database: Database
    package let mode: StarsMode

    package init(catalog: Catalog, database: Database, mode: StarsMode) {
        self.catalog = catalog
        self.database = database
        self.mode = mode
    }

    /// From `CATALOG_PATH`, `DATABASE_URL`, `MOCK_PAYMENTS` and `TELEGRAM_STARS_ENABLED`.
    package init(_ context: FunctionContext) throws {
        self.init(
            catalog: try context.catalog(), database: try context.store(), mode: try StarsMode(config: context.config))
    }
}
