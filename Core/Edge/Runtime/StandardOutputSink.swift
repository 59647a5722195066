import Base
import Glibc

/// Standard output, one `write(2)` a line: where Lambda extracts EMF lines from. Only the Lambda
/// Runtime API mode writes here; in the stdin mode standard output is the response.
package struct StandardOutputSink: LogSink {
    package init() {}

    package func write(line: [UInt8]) { _ = writeAll(line, to: 1) }
}
