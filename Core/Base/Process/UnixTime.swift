import FoundationEssentials

/// Unix seconds as the providers and this project write times: RFC 3339 in UTC, to the second.
package enum UnixTime {
    /// `seconds` as `2026-12-06T22:55:47Z`.
    package static func iso8601(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }
}
