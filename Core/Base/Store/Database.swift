/// The function's way to the store: connects on first use and reconnects after a lost connection,
/// so requests that never touch the database never pay for a connection.
package final class Database {
    private let url: String
    private let applicationName: String
    private let preparesStatements: Bool
    private var current: PGConnection?

    /// `preparesStatements`: whether its connections prepare each statement once (see
    /// `PGConnection`), for a process that serves many requests.
    package init(url: String, applicationName: String, preparesStatements: Bool = false) {
        self.url = url
        self.applicationName = applicationName
        self.preparesStatements = preparesStatements
    }

    /// An open connection, made now if there is none or the last one was lost.
    package func connection() throws -> PGConnection {
        if let current, current.isOpen { return current }
        current = nil
        let fresh = try PGConnection(
            url: url, applicationName: applicationName, preparesStatements: preparesStatements)
        current = fresh
        return fresh
    }
}
