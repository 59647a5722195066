import Core
import FoundationEssentials

/// One JSON log line a function wrote on stderr, as far as the console reads it.
struct LogLine: Decodable, Encodable {
    let time: String?
    let level: String?
    let function: String?
    let request_id: String?
    let message: String?
    let step: String?
    let outcome: String?
    let detail: String?
    let reason: String?
    let hint: String?
    let eventId: String?
    let type: String?
    let event: String?
    let dealId: String?
    let sessionId: String?
    let paymentIntentId: String?

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
        guard text.first == "{", let line = try? JSONCoding.decode(LogLine.self, from: Array(text.utf8)), line.message != nil else { return nil }
        return line
    }

    /// The provider's event type, whichever field the function used for it.
    var eventType: String? { type ?? event }

    /// The function that wrote it, as a provider name.
    var provider: String? {
        switch function {
        case "stripe-webhook": "stripe"
        case "yookassa-webhook": "yookassa"
        case "stars-webhook": "telegram"
        default: function
        }
    }
}
