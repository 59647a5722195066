import CLibPQ

/// One row of a result, read by column name.
package struct PGRow {
    let result: PGResult
    let index: Int

    /// The column's text, or nil for SQL NULL.
    package func string(_ column: String) throws -> String? {
        try result.text(row: index, column: column)
    }

    /// The column's text; a NULL is an error.
    package func requiredString(_ column: String) throws -> String {
        guard let value = try string(column) else {
            throw StoreError(.unexpectedResult, detail: "column \(column) is NULL")
        }
        return value
    }

    /// The column as an integer, or nil for SQL NULL.
    package func int(_ column: String) throws -> Int64? {
        guard let text = try string(column) else { return nil }
        guard let value = Int64(text) else {
            throw StoreError(.unexpectedResult, detail: "column \(column) is not an integer")
        }
        return value
    }

    /// The column as an integer; a NULL is an error.
    package func requiredInt(_ column: String) throws -> Int64 {
        guard let value = try int(column) else {
            throw StoreError(.unexpectedResult, detail: "column \(column) is NULL")
        }
        return value
    }

    /// The column as a boolean (`t`/`f`), or nil for SQL NULL.
    package func bool(_ column: String) throws -> Bool? {
        guard let text = try string(column) else { return nil }
        return text == "t" || text == "true"
    }
}
