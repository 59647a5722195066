import Base
import Domain

/// How Stars invoices are made: a mock link for development, Telegram's Bot API, or not at all.
package enum StarsMode {
    case mock
    case live(TelegramClient)
    case disabled

    /// From `MOCK_PAYMENTS` and `TELEGRAM_STARS_ENABLED`; setting both is an error.
    package init(config: Config) throws {
        let mock = try config.flag("MOCK_PAYMENTS", default: false)
        let live = try config.flag("TELEGRAM_STARS_ENABLED", default: false)
        switch (mock, live) {
        case (true, true):
            throw ConfigError(variable: "MOCK_PAYMENTS", problem: "and TELEGRAM_STARS_ENABLED cannot both be true")
        case (true, false): self = .mock
        case (false, true): self = .live(try TelegramClient(config: config))
        case (false, false): self = .disabled
        }
    }

    var isMock: Bool { if case .mock = self { true } else { false } }

    /// The name stored with `purchase_invoice_created`.
    var name: String {
        switch self {
        case .mock: "mock"
        case .live: Provider.telegram.rawValue
        case .disabled: "disabled"
        }
    }

    static let disabledError = APIError(
        503, "payments_disabled", "Stars payments are turned off: set MOCK_PAYMENTS or TELEGRAM_STARS_ENABLED.")
}
