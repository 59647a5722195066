import Glibc
import Logging

/// A swift-log handler that writes one JSON object a line:
/// `{"time":…,"level":…,"function":…,"request_id":…,"message":…, …metadata}`, the metadata in
/// key order, with every value passed through the redactor.
///
/// The logger's own metadata (a delivery's ids, set once and carried on every line) is rendered
/// and redacted when it is set, not again for each line: a line renders only its message and
/// its own metadata. So a `.stringConvertible` value set on the logger is written as its text was
/// then; one whose text changes belongs in a line's metadata.
package struct JSONLogHandler: LogHandler {
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level

    private let function: [UInt8]
    private let redactor: Redactor
    private let sink: any LogSink
    /// The logger's own metadata: each value with its member as written (`"key":value`, redacted).
    private var members: [String: (value: Logger.Metadata.Value, rendered: [UInt8])] = [:]
    /// The keys of `members` but `request_id` (written before the message), in order.
    private var keys: [String] = []

    package init(function: String, level: Logger.Level, redactor: Redactor, sink: any LogSink = StandardErrorSink()) {
        self.function = JSONLine.member("function", function)
        self.logLevel = level
        self.redactor = redactor
        self.sink = sink
    }

    package var metadata: Logger.Metadata {
        get { members.mapValues(\.value) }
        set {
            members = [:]
            keys = []
            for (key, value) in newValue { self[metadataKey: key] = value }
        }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { members[key]?.value }
        set {
            guard let newValue else {
                if members.removeValue(forKey: key) != nil { keys.removeAll { $0 == key } }
                return
            }
            if members[key] == nil, key != LogKey.requestID {
                keys.insert(key, at: keys.firstIndex { $0 > key } ?? keys.endIndex)
            }
            members[key] = (newValue, render(key, newValue))
        }
    }

    package func log(event: LogEvent) {
        var extra = event.metadata ?? [:]
        if let provided = metadataProvider?.get() { extra = provided.merging(extra) { _, new in new } }

        var line = JSONLine()
        line.field("time", LogClock.now())
        line.field("level", event.level.rawValue)
        line.append(member: function)
        if let requestID = extra.removeValue(forKey: LogKey.requestID) {
            line.append(member: render(LogKey.requestID, requestID))
        } else if let requestID = members[LogKey.requestID] {
            line.append(member: requestID.rendered)
        }
        line.field("message", redactor.scrub(event.message.description))
        // The logger's members and the line's, merged in key order; the line's win a shared key.
        var own = extra.keys.sorted()[...]
        for key in keys {
            while let next = own.first, next < key {
                line.append(member: render(next, extra[next]!))
                own.removeFirst()
            }
            if extra[key] == nil, let member = members[key] { line.append(member: member.rendered) }
        }
        for key in own { line.append(member: render(key, extra[key]!)) }
        sink.write(line: line.finish())
    }

    /// `"key":value` with the value redacted.
    private func render(_ key: String, _ value: Logger.Metadata.Value) -> [UInt8] {
        var member = JSONLine.member()
        member.key(key)
        append(value, named: key, to: &member)
        return member.memberBytes
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
