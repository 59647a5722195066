import Base

/// A read endpoint built on the store: a `GET` that pages in a browser call, made from the
/// function's database.
package protocol StoreReader: Handler {
    /// The handler on `database`.
    init(database: Database)
}

extension StoreReader {
    /// The function as deployed: this handler on `DATABASE_URL`.
    package static func make(_ context: FunctionContext) throws -> any Handler {
        Self(database: try context.store())
    }

    package var method: HTTPMethod { .get }
    package var browserFacing: Bool { true }
}
