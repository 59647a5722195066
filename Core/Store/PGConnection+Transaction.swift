import Glibc

extension PGConnection {
    /// Runs `body` in one transaction and commits it; rolls back on any error. `BEGIN` goes with
    /// the body's first statement, and the `NOTIFY`s it asked for (`notifyAfterCommit`) with the
    /// `COMMIT`, after it: a transaction costs a round trip per statement and one to commit.
    ///
    /// A serialization failure (40001) or deadlock (40P01) runs the whole body again, up to
    /// `attempts` times, after a short randomised pause, so `body` must do nothing outside the
    /// database that cannot be repeated.
    package func transaction<T>(attempts: Int = 5, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                pendingNotifications = []
                beginPending = true
                let value = try body()
                CrashPoint.reach("before_commit")
                if beginPending {
                    beginPending = false
                } else {
                    try runScript(
                        (["COMMIT"] + pendingNotifications.sorted().map { "NOTIFY \($0)" }).joined(separator: "; "))
                }
                pendingNotifications = []
                CrashPoint.reach("after_commit")
                return value
            } catch let error as StoreError {
                rollBack()
                guard error.sqlState?.isRetryableTransaction == true, attempt < attempts else { throw error }
                usleep(UInt32.random(in: 1_000...(5_000 << min(attempt, 6))))
                attempt += 1
            } catch {
                rollBack()
                throw error
            }
        }
    }
}
