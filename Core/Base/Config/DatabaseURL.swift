/// Reads the password out of a libpq connection string, so it can be redacted from logs.
enum DatabaseURL {
    /// Every form of the password in `url`: in a URI's user info
    /// (`postgresql://user:password@host/db`) or query (`?password=…`), raw and percent-decoded,
    /// or in a conninfo string (`password=… ` or `password='…'`).
    static func passwords(in url: String) -> [String] {
        guard let scheme = url.firstRange(of: "://") else { return conninfoPassword(url).map { [$0] } ?? [] }
        var found: [String] = []
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            found.append(String(authority[authority.index(after: colon)..<at]))
        }
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") where pair.hasPrefix("password=") {
                found.append(String(pair.dropFirst("password=".count)))
            }
        }
        return (found + found.compactMap(percentDecoded)).filter { !$0.isEmpty }
    }

    private static func conninfoPassword(_ text: String) -> String? {
        guard let key = text.firstRange(of: "password=") else { return nil }
        var value = text[key.upperBound...]
        if value.first == "'" {
            value = value.dropFirst()
            return value.firstIndex(of: "'").map { String(value[..<$0]) }
        }
        let password = String(value.prefix { $0 != " " })
        return password.isEmpty ? nil : password
    }

    /// `text` with `%XX` escapes decoded, or nil when it has none or they are not UTF-8.
    private static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else { return nil }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
