import Domain

/// One downstream consumer of domain events, as configured in the sinks file.
package struct Sink: Sendable {
    /// Which events a sink wants.
    package enum Selection: Sendable, Equatable {
        /// Every event type (`["*"]`).
        case all
        /// These types only.
        case only(Set<DomainEventType>)
    }

    /// How a sink receives events: its kind, with what that kind needs. A new kind is a type
    /// conforming to `SinkTransport` and a case here.
    package enum Destination: Sendable {
        case webhook(WebhookSink)
        case userService(UserServiceSink)
        case telegram(TelegramSink)
    }

    /// Unique among the sinks; stored with each delivery.
    package let name: String
    package let events: Selection
    package let destination: Destination
    /// How long one attempt may take.
    package let timeoutMilliseconds: Int

    package init(name: String, events: Selection, destination: Destination, timeoutMilliseconds: Int = 5_000) {
        self.name = name
        self.events = events
        self.destination = destination
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The kind, as the sinks file names it.
    package var kind: SinkKind {
        switch destination {
        case .webhook: .webhook
        case .userService: .userService
        case .telegram: .telegram
        }
    }

    /// What builds this sink's requests and reads its receiver's answers.
    package var transport: any SinkTransport {
        switch destination {
        case .webhook(let sink): sink
        case .userService(let sink): sink
        case .telegram(let sink): sink
        }
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
