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
