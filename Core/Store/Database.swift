/// The function's way to the store: connects on first use and reconnects after a lost connection,
/// so requests that never touch the database never pay for a connection.
package final class Database {
    private let url: String
    private let applicationName: String
    private var current: PGConnection?

    package init(url: String, applicationName: String) {
        self.url = url
        self.applicationName = applicationName
    }

    /// An open connection, made now if there is none or the last one was lost.
    package func connection() throws -> PGConnection {
        if let current, current.isOpen { return current }
        current = nil
        let fresh = try PGConnection(url: url, applicationName: applicationName)
        current = fresh
        return fresh
    }
}
