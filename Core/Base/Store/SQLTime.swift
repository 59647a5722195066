/// How timestamps leave the database for answers: UTC, ISO 8601, to the second.
package enum SQLTime {
    /// `column` as `2026-12-02T05:40:00Z` (NULL stays NULL).
    package static func utc(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#
    }

    /// `column` as `2026-12-02T05:40:00.123Z`, to the millisecond, for ordering what happened
    /// within one second (NULL stays NULL).
    package static func utcMilliseconds(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
    }
}
