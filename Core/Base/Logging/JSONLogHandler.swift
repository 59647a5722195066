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
