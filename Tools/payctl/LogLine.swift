import Core
import FoundationEssentials

/// One JSON log line a function wrote on stderr, read by its keys (`LogKey`), never its message.
struct LogLine: Codable {
    let time: String?
    let level: String?
    let function: String?
    let request_id: String?
    let message: String?
    let provider: String?
    let step: String?
    let step_result: String?
    let outcome: String?
    let rejection: String?
    let detail: String?
    let hint: String?
    let event_id: String?
    let event_type: String?
    let deal_id: String?
    let session_id: String?
    let payment_intent_id: String?

    /// The lines of standard input that are function log lines; anything else is skipped.
    static func readStandardInput(last count: Int? = nil) -> [LogLine] {
        var lines: [LogLine] = []
        while let text = readLine() {
            guard let line = parse(text) else { continue }
            lines.append(line)
            if let count, lines.count > count { lines.removeFirst(lines.count - count) }
        }
        return lines
    }

    static func parse(_ text: String) -> LogLine? {
        guard text.first == "{", let line = try? JSONCoding.decode(LogLine.self, from: Array(text.utf8)),
            line.message != nil
        else { return nil }
        return line
    }

    /// The line that ends a delivery: it carries the delivery's outcome and is no step's line.
    var endsDelivery: Bool { outcome != nil && step == nil }

    /// A delivery refused before verification.
    var isRejection: Bool { rejection != nil }
}
