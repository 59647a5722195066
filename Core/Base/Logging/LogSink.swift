import Glibc
import Synchronization

/// Where finished log lines go.
package protocol LogSink: Sendable {
    func write(line: [UInt8])
}

/// Standard error, one `write(2)` a line, so lines from concurrent processes never interleave.
package struct StandardErrorSink: LogSink {
    package init() {}

    package func write(line: [UInt8]) { _ = writeAll(line, to: 2) }
}

/// Keeps lines in memory: for tests and for commands that read their own log.
package final class MemorySink: LogSink {
    private let storage = Mutex<[String]>([])

    package init() {}

    package func write(line: [UInt8]) {
        let text = String(decoding: line.last == 0x0a ? line.dropLast() : line[...], as: UTF8.self)
        storage.withLock { $0.append(text) }
    }

    /// Every line written so far, without its newline.
    package var lines: [String] { storage.withLock { $0 } }
}
