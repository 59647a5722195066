import Glibc

extension PGConnection {
    /// Runs `body` in one transaction and commits it; rolls back on any error. The `NOTIFY`s the
    /// body asked for (`notifyAfterCommit`) go with the `COMMIT`, after it.
    ///
    /// A serialization failure (40001) or deadlock (40P01) runs the whole body again, up to
    /// `attempts` times, after a short randomised pause, so `body` must do nothing outside the
    /// database that cannot be repeated.
    package func transaction<T>(attempts: Int = 5, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                pendingNotifications = []
                try query("BEGIN")
                let value = try body()
                CrashPoint.reach("before_commit")
                try runScript(
                    (["COMMIT"] + pendingNotifications.sorted().map { "NOTIFY \($0)" }).joined(separator: "; "))
                pendingNotifications = []
                CrashPoint.reach("after_commit")
                return value
            } catch let error as StoreError {
                pendingNotifications = []
                if inTransaction { _ = try? query("ROLLBACK") }
                guard error.sqlState?.isRetryableTransaction == true, attempt < attempts else { throw error }
                usleep(UInt32.random(in: 1_000...(5_000 << min(attempt, 6))))
                attempt += 1
            } catch {
                pendingNotifications = []
                if inTransaction { _ = try? query("ROLLBACK") }
                throw error
            }
        }
    }
}
