import Glibc

extension PGConnection {
    /// Runs `body` in one transaction and commits it; rolls back on any error. `BEGIN` goes with
    /// the body's first statement, and the `NOTIFY`s it asked for (`notifyAfterCommit`) with the
    /// `COMMIT`, after it: a transaction costs a round trip per statement and one to commit.
    /// `defersWrites` lets the body `send` writes whose answers it does not read, so they travel
    /// with its next statement or its `COMMIT`, and lets it take the short way that assumes a unique
    /// key free (`insertOnce`); if a key was taken, the body runs once more with every write
    /// answered at once, down its careful way.
    ///
    /// A serialization failure (40001) or deadlock (40P01) runs the whole body again, up to
    /// `attempts` times, after a short randomised pause, so `body` must do nothing outside the
    /// database that cannot be repeated.
    package func transaction<T>(attempts: Int = 5, defersWrites: Bool = false, _ body: () throws -> T) throws -> T {
        var attempt = 1
        var deferring = defersWrites
        while true {
            do {
                pendingNotifications = []
                beginPending = true
                self.defersWrites = deferring
                defer { self.defersWrites = false }
                let value = try body()
                CrashPoint.reach("before_commit")
                try commit()
                CrashPoint.reach("after_commit")
                return value
            } catch {
                let state = (error as? StoreError)?.sqlState
                rollBack()
                if state == .uniqueViolation, deferring, isOpen {
                    // Not an attempt lost: the same work, this time with every answer read.
                    deferring = false
                    continue
                }
                guard state?.isRetryableTransaction == true, attempt < attempts else { throw error }
                usleep(UInt32.random(in: 1_000...(5_000 << min(attempt, 6))))
                attempt += 1
            }
        }
    }
}
