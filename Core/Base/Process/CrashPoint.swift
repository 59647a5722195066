import Glibc

/// For crash tests only: when `PAYFN_CRASH_AT` names a point, the process kills itself there
/// with SIGKILL, as a crash, an OOM kill or a Lambda timeout would. Unset, it costs one compare.
package enum CrashPoint {
    private static let target: String? = getenv("PAYFN_CRASH_AT").map { String(cString: $0) }

    /// Dies here if this is the chosen point.
    package static func reach(_ name: StaticString) {
        guard let target, target == "\(name)" else { return }
        kill(getpid(), SIGKILL)
    }
}
