import Glibc
import Synchronization

/// Where finished log lines go.
package protocol LogSink: Sendable {
    func write(line: [UInt8])
}
