/// The payment providers whose webhooks this project receives, as stored in `provider` columns.
public enum Provider: String, Sendable, CaseIterable, Codable {
    case yookassa
    case stripe
    case telegram
}
