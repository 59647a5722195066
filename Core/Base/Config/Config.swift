/// The function's configuration: environment variables, read and checked by name, as on Lambda.
package struct Config: Sendable {
    private let environment: [String: String]

    package init(environment: [String: String]) { self.environment = environment }

    /// The variable's value, or nil when it is unset or empty.
    package func optional(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The variable's value; unset or empty is an error.
    package func required(_ name: String) throws -> String {
        guard let value = optional(name) else { throw ConfigError(variable: name, problem: "is not set") }
        return value
    }

    /// An integer in `range`, or `defaultValue` when unset.
    package func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigError(
                variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`), or `defaultValue` when unset.
    package func flag(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = optional(name)?.lowercased() else { return defaultValue }
        switch text {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigError(variable: name, problem: "must be true or false")
        }
    }

    /// One of a fixed set of words, or `defaultValue` when unset.
    package func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, default defaultValue: Value
    ) throws -> Value
    where Value.RawValue == String {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Value(rawValue: text) else {
            let options = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError(variable: name, problem: "must be one of: \(options)")
        }
        return value
    }

    /// A duration such as `250ms`, `30s`, `5m`, `24h` or `3d`, in milliseconds, or `defaultValue`
    /// (written the same way) when unset.
    package func duration(_ name: String, default defaultValue: String) throws -> Int {
        guard let milliseconds = Self.milliseconds(optional(name) ?? defaultValue) else {
            throw ConfigError(
                variable: name, problem: "must be a duration such as 30s, 5m, 24h or 3d (units ms, s, m, h, d)")
        }
        return milliseconds
    }

    /// `250ms`, `5s`, `5m`, `2h`, `1d` in milliseconds; nil for anything else or over 7 days.
    package static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.utf8.allSatisfy(ASCII.isDigit), number.count <= 9,
                let value = Int(number), value * scale <= 7 * 86_400_000
            else { return nil }
            return value * scale
        }
        return nil
    }

    /// An `http://` or `https://` base URL without a trailing slash, or `defaultValue` when unset.
    package func baseURL(_ name: String, default defaultValue: String) throws(ConfigError) -> String {
        var text = optional(name) ?? defaultValue
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), !text.contains(" ") else {
            throw ConfigError(variable: name, problem: "must be an http:// or https:// URL")
        }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Every configured secret value, so the log redactor can remove them wherever they appear:
    /// the known secret variables, any other whose name ends like a secret (a sink's `secret_env`
    /// or `token_env`), each item of a list, and the database password. A CGI gateway hands the
    /// request's headers over as `HTTP_*` variables: those are the client's words, never a secret
    /// of the function. Values shorter than ``minimumSecretLength`` are left out: they would mask
    /// common letters everywhere, and ``checkSecretLengths()`` refuses to run with them.
    package var secretValues: [String] {
        secretsByVariable.flatMap { [$0.value] + $0.items }.filter { $0.count >= Self.minimumSecretLength }
    }

    /// Throws naming the first secret (or list item, or the database password) shorter than
    /// ``minimumSecretLength``: the redactor would mask its letters in every log line, and a
    /// secret that short is no secret.
    package func checkSecretLengths() throws(ConfigError) {
        for secret in secretsByVariable where secret.items.contains(where: { $0.count < Self.minimumSecretLength }) {
            throw ConfigError(
                variable: secret.variable,
                problem: secret.variable == "DATABASE_URL"
                    ? "has a password shorter than \(Self.minimumSecretLength) characters"
                    : "must hold secrets of at least \(Self.minimumSecretLength) characters each")
        }
    }

    /// The fewest characters a configured secret may have.
    package static let minimumSecretLength = 8

    /// A list of secrets as a variable holds it during a rotation: items separated by commas or
    /// white space, each trimmed; the one reading of every secret list (Stripe's endpoint secrets,
    /// a sink's Standard Webhooks secrets, the redactor's).
    package static func secretList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    }

    private var secretsByVariable: [(variable: String, value: String, items: [String])] {
        let named = environment.keys.filter(Self.isSecretName)
        var found: [(String, String, [String])] = []
        for name in Set(Self.secretVariables + named).sorted() {
            guard let value = optional(name) else { continue }
            found.append((name, value, Self.secretList(value)))
        }
        if let url = optional("DATABASE_URL") {
            let passwords = DatabaseURL.passwords(in: url)
            if !passwords.isEmpty { found.append(("DATABASE_URL", passwords[0], passwords)) }
        }
        return found
    }

    /// Endings that mark any other variable as a secret (a sink's `secret_env` or `token_env`).
    package static let secretSuffixes = ["_SECRET", "_TOKEN", "_SECRET_KEY", "_API_KEY", "_PASSWORD"]

    /// Whether a variable's name marks it a secret: it ends like one, and it is not a request
    /// header a CGI gateway passed on (`HTTP_*`, the client's words).
    package static func isSecretName(_ name: String) -> Bool {
        !name.hasPrefix("HTTP_") && secretSuffixes.contains { name.hasSuffix($0) }
    }

    /// The variables that hold secrets.
    package static let secretVariables = [
        "YOOKASSA_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_KEY", "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
    ]
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
