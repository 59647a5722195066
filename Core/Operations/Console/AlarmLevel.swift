/// How bad a finding is, as Nagios counts it (the exit code).
package enum AlarmLevel: Int, Comparable, Sendable, Encodable {
    case ok = 0
    case warning = 1
    case critical = 2

    package static func < (left: AlarmLevel, right: AlarmLevel) -> Bool { left.rawValue < right.rawValue }

    /// `OK`, `WARNING`, `CRITICAL`.
    package var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(label.lowercased())
    }
}
