import ArgumentParser
import Core
import FoundationEssentials
import Glibc

/// `payctl stripe …`: read-only views of the Stripe API.
struct StripeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Provider.stripe.rawValue, abstract: "Read-only views of the Stripe API.",
        subcommands: [Events.self])

    /// `payctl stripe events`: recent events as Stripe holds them.
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recent events from the Stripe API (GET /v1/events), newest first.")

        @Option(name: .customLong("type"), help: "Only this type (repeatable; `checkout.session.*` works).") var types:
            [String] = []
        @Option(help: "How many events at most (pages are followed).") var limit = 20
        @Option(help: "Only events created within this window: 45s, 30m, 2h, 1d.") var since: Window?
        @Flag(help: "Only events whose delivery to an endpoint failed.") var failed = false
        @Flag(help: "Print JSON for scripts.") var json = false

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
            guard types.count <= 20 else { throw ValidationError("Stripe takes at most 20 --type filters") }
        }

        func run() throws {
            let console = Console(json: json)
            let client: StripeClient
            do {
                client = try StripeClient(config: console.config)
            } catch let error as ConfigError {
                throw console.fail(
                    .configuration, "\(error.variable) \(error.problem).",
                    next: "export \(error.variable) (a restricted key with Events: Read is enough).")
            }
            let createdSince = since.map { Int64(time(nil)) - Int64($0.seconds) }
            let events: [StripeClient.EventSummary]
            do {
                events = try client.events(
                    types: types, limit: limit, createdSince: createdSince, failedOnly: failed, logger: console.logger)
            } catch .rejected(let status, let message, _) {
                throw console.fail(
                    .provider, "Stripe refused the request (HTTP \(status)): \(message)",
                    next: status == 401 ? "check STRIPE_API_KEY and its mode (test/live)." : "check the filters.")
            } catch {
                throw console.fail(
                    .provider, "the Stripe API could not be reached (\(String(describing: error))).",
                    next: "check STRIPE_API_URL and the network.")
            }
            let style = console.style
            var lines = events.map { event -> TerminalText in
                "\(event.id)  \(event.type)  \(Self.iso(event.created))  \(event.livemode ? "live" : "test")  \(event.request?.id ?? "-")"
                    + ((event.pending_webhooks ?? 0) > 0
                        ? "  \(style.outcome("pending_webhooks=\(event.pending_webhooks ?? 0)"))" : "")
            }
            if lines.isEmpty { lines = ["No events match. Next step: widen --since or drop --type."] }
            console.emit(human: TerminalText(lines: lines), machine: events)
        }

        static func iso(_ seconds: Int64) -> String {
            Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
        }
    }
}
