/// The HTTP-date of RFC 9110 §5.6.7, in the three forms a recipient must accept.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix seconds of `bytes`, or nil when it is no HTTP-date. `now` places an RFC 850 two-digit
    /// year: one more than 50 years ahead is in the previous century (§5.6.7).
    static func unixSeconds(_ bytes: [UInt8], now: Int64) -> Int64? {
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let day: Int
        let month: Int
        var year: Int
        let time: String
        if words.count == 6, words[0].hasSuffix(","), words[5] == "GMT" {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard let d = number(words[1], digits: 2...2), let m = monthIndex(words[2]),
                let y = number(words[3], digits: 4...4)
            else { return nil }
            (day, month, year, time) = (d, m, y, words[4])
        } else if words.count == 4, words[0].hasSuffix(","), words[3] == "GMT" {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let d = number(parts[0], digits: 2...2), let m = monthIndex(parts[1]),
                let y = number(parts[2], digits: 2...2)
            else { return nil }
            (day, month, year, time) = (d, m, 2000 + y, words[2])
            let currentYear = Int(civil(now / 86_400))
            if year > currentYear + 50 { year -= 100 }
        } else if words.count == 5 {
            // asctime: Sun Nov  6 08:49:37 1994
            guard let m = monthIndex(words[1]), let d = number(words[2], digits: 1...2),
                let y = number(words[4], digits: 4...4)
            else { return nil }
            (day, month, year, time) = (d, m, y, words[3])
        } else {
            return nil
        }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard clock.count == 3, let hour = number(clock[0], digits: 2...2),
            let minute = number(clock[1], digits: 2...2),
            let second = number(clock[2], digits: 2...2), hour < 24, minute < 60, second < 61, (1...31).contains(day)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return days * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    private static func number(_ text: String, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count), text.utf8.allSatisfy(ASCII.isDigit) else { return nil }
        return Int(text)
    }

    /// 1 to 12 for a three-letter month name in any case.
    private static func monthIndex(_ text: String) -> Int? {
        months.firstIndex(of: text.lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year of the day `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(_ days: Int64) -> Int64 {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        return yearOfEra + era * 400 + (monthPart < 10 ? 0 : 1)
    }
}
