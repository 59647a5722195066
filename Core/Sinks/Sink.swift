/// One downstream consumer of domain events, as configured in the sinks file.
package struct Sink: Sendable {
    /// Which events a sink wants.
    package enum Selection: Sendable, Equatable {
        /// Every event type (`["*"]`).
        case all
        /// These types only.
        case only(Set<DomainEventType>)
    }

    /// Where a Telegram sink writes.
    package enum Chat: Sendable, Equatable {
        /// The buyer of a Stars purchase: the event's `user_id`, their Telegram id.
        case buyer
        /// A fixed chat, such as an operators' group.
        case id(Int64)
    }

    /// Unique among the sinks; stored with each delivery.
    package let name: String
    package let kind: SinkKind
    package let events: Selection
    /// The receiver's URL (webhook) or base URL (user service); nil for Telegram.
    package let url: String?
    /// Webhook signing secrets; several while one is rotated out.
    package let secrets: [StandardWebhookSecret]
    /// The user service's bearer token, when it asks for one.
    package let token: String?
    /// Telegram only: who receives the message.
    package let chat: Chat?
    /// How long one attempt may take.
    package let timeoutMilliseconds: Int

    package init(
        name: String, kind: SinkKind, events: Selection, url: String? = nil, secrets: [StandardWebhookSecret] = [],
        token: String? = nil, chat: Chat? = nil, timeoutMilliseconds: Int = 5_000
    ) {
        self.name = name
        self.kind = kind
        self.events = events
        self.url = url
        self.secrets = secrets
        self.token = token
        self.chat = chat
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Whether events of `type` are delivered to this sink.
    package func wants(_ type: DomainEventType) -> Bool {
        switch events {
        case .all: kind.understands?.contains(type) ?? true
        case .only(let types): types.contains(type)
        }
    }

    /// The event types this sink is sent, written as the fan-out reads them (`*` for any).
    var patterns: [String] {
        switch events {
        case .all: kind.understands.map { $0.map(\.rawValue).sorted() } ?? ["*"]
        case .only(let types): types.map(\.rawValue).sorted()
        }
    }
}
