import Base

extension FunctionContext {
    /// The price list from `CATALOG_PATH` (default `catalog.json` in the working directory).
    package func catalog() throws -> Catalog {
        do {
            return try Catalog.load(path: config.optional("CATALOG_PATH") ?? "catalog.json")
        } catch let error as Catalog.LoadError {
            throw ConfigError(variable: "CATALOG_PATH", problem: "does not name a valid catalog (\(error.description))")
        }
    }
}
