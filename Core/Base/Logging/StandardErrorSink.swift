import Glibc
import Synchronization

/// Standard error, one `write(2)` a line, so lines from concurrent processes never interleave.
package struct StandardErrorSink: LogSink {
    package init() {}

    package func write(line: [UInt8]) { _ = writeAll(line, to: 2) }
}
