import Domain

/// How a sink receives domain events.
package enum SinkKind: String, Sendable, CaseIterable, Codable {
    /// A `POST` of the event to any URL, signed as the Standard Webhooks specification says.
    case webhook
    /// The user service's subscription call: `POST {url}/api/v1/users/{user_id}/subscription`.
    case userService = "user-service"
    /// A Bot API `sendMessage` to the buyer or to a fixed chat.
    case telegram

    /// The event types this kind can act on; nil for any.
    package var understands: Set<DomainEventType>? {
        switch self {
        case .webhook, .telegram: nil
        case .userService: UserServiceSink.understands
        }
    }
}
