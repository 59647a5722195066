import CLibPQ

/// The rows of one statement's result; freed when the last reference goes.
package final class PGResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { PQclear(handle) }

    /// How many rows came back.
    package var count: Int { Int(PQntuples(handle)) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    package var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The rows, for iteration.
    package var rows: [PGRow] { (0..<count).map { PGRow(result: self, index: $0) } }

    /// The first row, if any.
    package var first: PGRow? { count > 0 ? PGRow(result: self, index: 0) : nil }

    func text(row: Int, column: String) throws -> String? {
        let index = PQfnumber(handle, column)
        guard index >= 0 else {
            throw StoreError(.unexpectedResult, detail: "result has no column \(column)")
        }
        if PQgetisnull(handle, Int32(row), index) == 1 { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), index))
    }
}

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
