import Base
import Domain
import FoundationEssentials

/// The sinks file (`SINKS_PATH`): `{"sinks": [{"name", "kind", "events", "url", "secret_env",
/// "token_env", "chat", "timeout_ms"}]}`. Secrets are named by environment variable, never
/// written in the file; a URL may be, as `${NAME}` (so one file serves every environment). Every
/// problem is a configuration error naming the sink and the field.
package enum SinkFile {
    /// The variable naming the file.
    package static let variable = "SINKS_PATH"
    /// The largest file read.
    static let maxBytes = 262_144

    private struct Entry: Decodable {
        let name: String?
        let kind: String?
        let events: [String]?
        let url: String?
        let secret_env: String?
        let token_env: String?
        let chat: ChatField?
        let timeout_ms: Int?
    }

    /// `"buyer"` or a chat id, written as a number or a string.
    private enum ChatField: Decodable {
        case text(String)
        case number(Int64)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    private struct File: Decodable { let sinks: [Entry] }

    /// The sinks configured by `config`: none when `SINKS_PATH` is unset.
    package static func load(_ config: Config) throws(ConfigError) -> [Sink] {
        guard let path = config.optional(variable) else { return [] }
        guard let data = FileManager.default.contents(atPath: path), data.count <= maxBytes else {
            throw ConfigError(variable: variable, problem: "names a file that cannot be read (or is over 256 KiB)")
        }
        return try parse(Array(data), config: config)
    }

    /// The sinks in `bytes`, their secrets read from `config`.
    package static func parse(_ bytes: [UInt8], config: Config) throws(ConfigError) -> [Sink] {
        guard let file = try? JSONCoding.decode(File.self, from: bytes) else {
            throw ConfigError(variable: variable, problem: "is not a JSON object with a \"sinks\" array of objects")
        }
        var sinks: [Sink] = []
        for (index, entry) in file.sinks.enumerated() {
            let sink = try read(entry, index: index, config: config)
            guard !sinks.contains(where: { $0.name == sink.name }) else {
                throw problem(sink.name, "name", "is used by two sinks")
            }
            sinks.append(sink)
        }
        return sinks
    }

    private static func read(_ entry: Entry, index: Int, config: Config) throws(ConfigError) -> Sink {
        guard let name = entry.name, (1...64).contains(name.utf8.count), name.utf8.allSatisfy(ASCII.isToken) else {
            throw problem("#\(index + 1)", "name", "must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard let kindText = entry.kind, let kind = SinkKind(rawValue: kindText) else {
            let kinds = SinkKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw problem(name, "kind", "must be one of: \(kinds)")
        }
        let events = try selection(entry.events, sink: name, kind: kind)
        let timeout = entry.timeout_ms ?? 5_000
        guard (100...30_000).contains(timeout) else {
            throw problem(name, "timeout_ms", "must be from 100 to 30000")
        }
        switch kind {
        case .webhook:
            let url = try url(entry.url, sink: name, config: config)
            guard let secretVariable = entry.secret_env else {
                throw problem(name, "secret_env", "must name the variable holding the whsec_ signing secret")
            }
            let value = try secret(secretVariable, sink: name, field: "secret_env", config: config)
            var secrets: [StandardWebhookSecret] = []
            for text in Config.secretList(value) {
                guard let secret = try? StandardWebhookSecret(text) else {
                    throw problem(
                        name, "secret_env",
                        "names \(secretVariable), which must hold whsec_ secrets (separated by spaces or commas)")
                }
                secrets.append(secret)
            }
            guard !secrets.isEmpty else {
                throw problem(name, "secret_env", "names \(secretVariable), which holds no whsec_ secret")
            }
            return Sink(
                name: name, events: events, destination: .webhook(WebhookSink(url: url, secrets: secrets)),
                timeoutMilliseconds: timeout)
        case .userService:
            let token = try entry.token_env.map { (variable) throws(ConfigError) in
                try secret(variable, sink: name, field: "token_env", config: config)
            }
            let url = try url(entry.url, sink: name, config: config)
            return Sink(
                name: name, events: events, destination: .userService(UserServiceSink(url: url, token: token)),
                timeoutMilliseconds: timeout)
        case .telegram:
            let chat: TelegramSink.Chat
            switch entry.chat {
            case .text("buyer"): chat = .buyer
            case .number(let id): chat = .id(id)
            case .text(let text) where Int64(text) != nil: chat = .id(Int64(text) ?? 0)
            default: throw problem(name, "chat", "must be \"buyer\" or a chat id")
            }
            return Sink(
                name: name, events: events,
                destination: .telegram(TelegramSink(chat: chat, bot: try TelegramSink.Bot(config))),
                timeoutMilliseconds: timeout)
        }
    }

    private static func selection(
        _ names: [String]?, sink: String, kind: SinkKind
    ) throws(ConfigError)
        -> Sink.Selection
    {
        guard let names, !names.isEmpty else {
            throw problem(sink, "events", "must list event types, or [\"*\"] for all")
        }
        if names == ["*"] { return .all }
        var types: Set<DomainEventType> = []
        for name in names {
            let type = DomainEventType(rawValue: name)
            guard DomainEventType.all.contains(type) else {
                throw problem(sink, "events", "names \"\(BoundedText.clip(name, 64))\", which is no domain event type")
            }
            guard kind.understands?.contains(type) ?? true else {
                throw problem(sink, "events", "names \(name), which a \(kind.rawValue) sink cannot act on")
            }
            types.insert(type)
        }
        return .only(types)
    }

    private static func url(_ text: String?, sink: String, config: Config) throws(ConfigError) -> String {
        var text = text
        if let written = text, written.hasPrefix("${"), written.hasSuffix("}") {
            let variable = String(written.dropFirst(2).dropLast())
            guard let value = config.optional(variable) else {
                throw problem(sink, "url", "names \(variable), which is not set")
            }
            text = value
        }
        guard var url = text, url.hasPrefix("https://") || url.hasPrefix("http://"),
            url.utf8.count <= 2_048, url.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        else { throw problem(sink, "url", "must be an http:// or https:// URL") }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The value of the variable a sink names; it must end like a secret so logs redact it.
    private static func secret(
        _ variable: String, sink: String, field: String, config: Config
    ) throws(ConfigError)
        -> String
    {
        guard Config.isSecretName(variable) else {
            throw problem(
                sink, field,
                "must name a variable ending in _SECRET or _TOKEN, not starting with HTTP_, so its value is kept out of logs"
            )
        }
        guard let value = config.optional(variable) else {
            throw problem(sink, field, "names \(variable), which is not set")
        }
        return value
    }

    private static func problem(_ sink: String, _ field: String, _ text: String) -> ConfigError {
        ConfigError(variable: variable, problem: "sink \(sink): \(field) \(text)")
    }
}
