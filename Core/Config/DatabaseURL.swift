/// Reads the password out of a libpq connection string, so it can be redacted from logs.
enum DatabaseURL {
    /// The password in a `postgresql://user:password@host/db` URI or a `password=… ` conninfo.
    static func password(in url: String) -> String? {
        if let scheme = url.firstRange(of: "://") {
            let rest = url[scheme.upperBound...]
            guard let at = rest.firstIndex(of: "@") else { return nil }
            let userInfo = rest[..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return nil }
            let password = String(userInfo[userInfo.index(after: colon)...])
            return password.isEmpty ? nil : password
        }
        guard let key = url.firstRange(of: "password=") else { return nil }
        var value = url[key.upperBound...]
        if value.first == "'" {
            value = value.dropFirst()
            return value.firstIndex(of: "'").map { String(value[..<$0]) }
        }
        let password = String(value.prefix { $0 != " " })
        return password.isEmpty ? nil : password
    }
}
