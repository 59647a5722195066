import Glibc
import Logging

/// A swift-log handler that writes one JSON object a line:
/// `{"time":…,"level":…,"function":…,"request_id":…,"message":…, …metadata}`,
/// with every value passed through the redactor.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level

    private let function: String
    private let redactor: Redactor
    private let sink: any LogSink

    package init(function: String, level: Logger.Level, redactor: Redactor, sink: any LogSink = StandardErrorSink()) {
        self.function = function
        self.logLevel = level
        self.redactor = redactor
        self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let requestID = merged.removeValue(forKey: "request_id")

        var line = JSONLine()
        line.field("time", LogClock.now())
        line.field("level", event.level.rawValue)
        line.field("function", function)
        if let requestID { line.field("request_id", redactor.scrub(requestID.description)) }
        line.field("message", redactor.scrub(event.message.description))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.key(key)
            append(value, named: key, to: &line)
        }
        sink.write(line: line.finish())
    }

    private func append(_ value: Logger.Metadata.Value, named key: String, to line: inout JSONLine) {
        if Redactor.isSensitiveKey(key) {
            line.string(Redactor.mask)
            return
        }
        switch value {
        case .string(let text):
            line.string(redactor.scrub(text))
        case .stringConvertible(let convertible):
            line.string(redactor.scrub(convertible.description))
        case .array(let values):
            line.openArray()
            for element in values {
                line.element()
                append(element, named: key, to: &line)
            }
            line.closeArray()
        case .dictionary(let members):
            line.openObject()
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                line.key(name)
                append(value, named: name, to: &line)
            }
            line.closeObject()
        }
    }

    /// The handler for a function's logger, with the level from `LOG_LEVEL`.
    package static func logger(
        function: String, level: Logger.Level, redactor: Redactor, sink: any LogSink = StandardErrorSink()
    ) -> Logger {
        Logger(label: function) { _ in JSONLogHandler(function: function, level: level, redactor: redactor, sink: sink)
        }
    }
}

/// Builds one JSON object line by hand, keeping keys in the order given.
package struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var needsComma = [false]

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func element() { separate() }

    mutating func openArray() {
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }
    mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }
    mutating func openObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }
    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0a: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func finish() -> [UInt8] {
        bytes += [UInt8(ascii: "}"), 0x0a]
        return bytes
    }

    /// A flat object of strings, in the given order, without the trailing newline.
    package static func object<Fields: Sequence<(key: String, value: String)>>(_ fields: Fields) -> [UInt8] {
        var line = JSONLine()
        for (key, value) in fields { line.field(key, value) }
        return Array(line.finish().dropLast())
    }
}

/// UTC timestamps with milliseconds, from the system clock, without Foundation's formatters.
enum LogClock {
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}
