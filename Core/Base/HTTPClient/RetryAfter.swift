/// A pause a receiver or provider asks for, read as an attacker's number: `Retry-After` in both
/// forms of RFC 9110 §10.2.3 (delay-seconds, or an HTTP-date in the IMF-fixdate, RFC 850 or
/// asctime form), or a count of seconds or milliseconds from a JSON body. Every reading is
/// bounded to ``maxMilliseconds`` without arithmetic that can overflow; anything unreadable is nil
/// and so ignored.
package enum RetryAfter {
    /// The longest pause honoured: nobody outside can park a delivery or a call for longer.
    package static let maxMilliseconds = 86_400_000
    private static let maxSeconds = maxMilliseconds / 1_000

    /// The pause a `Retry-After` header asks for at `now` (Unix seconds), in milliseconds; a date
    /// already past is no pause; nil for anything that is neither form.
    package static func milliseconds(header: String, now: Int64) -> Int? {
        let bytes = Array(
            header.utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
                .reversed())
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        if bytes.allSatisfy(ASCII.isDigit) { return milliseconds(digits: bytes) }
        guard let date = HTTPDate.unixSeconds(bytes, now: now) else { return nil }
        return date <= now ? 0 : milliseconds(seconds: date - now)
    }

    /// `seconds` (a JSON `retry_after` such as Telegram's) in milliseconds, clamped to the bounds.
    package static func milliseconds(seconds: Int64) -> Int {
        Int(min(max(seconds, 0), Int64(maxSeconds))) * 1_000
    }

    /// A pause given in milliseconds (YooKassa's `retry_after`), clamped to the bounds.
    package static func clamped(milliseconds: Int64) -> Int {
        Int(min(max(milliseconds, 0), Int64(maxMilliseconds)))
    }

    /// delay-seconds of any length, saturating at the cap instead of overflowing.
    private static func milliseconds(digits: [UInt8]) -> Int {
        var seconds = 0
        for digit in digits {
            seconds = seconds * 10 + Int(digit - 0x30)
            if seconds >= maxSeconds { return maxMilliseconds }
        }
        return seconds * 1_000
    }
}
