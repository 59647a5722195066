import Glibc
import Synchronization

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
