import Base
import Domain

/// Each provider's parts, found by its `Provider` case: the one switch over providers that
/// reconciliation, refunds and the console go through. Every provider's folder has the same
/// inner shape (client, models, error, webhook source, change, reconciler, refunds); adding a
/// provider is its folder and its row in each function here.
package enum ProviderTable {
    /// Whether the environment holds the credentials `provider`'s API needs: YooKassa's shop key,
    /// `STRIPE_API_KEY` (Events: Read), `TELEGRAM_BOT_TOKEN`.
    package static func isConfigured(_ provider: Provider, config: Config) -> Bool {
        switch provider {
        case .yookassa: config.optional("YOOKASSA_SECRET_KEY") != nil
        case .stripe: config.optional("STRIPE_API_KEY") != nil
        case .telegram: config.optional("TELEGRAM_BOT_TOKEN") != nil
        }
    }

    /// `provider`'s part of reconciliation, its client from the environment.
    package static func reconciler(
        _ provider: Provider, config: Config, database: Database
    ) throws -> any ProviderReconciler {
        switch provider {
        case .yookassa:
            YooKassaReconciler(client: try YooKassaClient(config: config), database: database)
        case .stripe:
            StripeReconciler(
                client: try StripeClient(config: config), database: database,
                source: try StripeWebhookSource.reconciling(config))
        case .telegram:
            TelegramReconciler(client: try TelegramClient(config: config), database: database)
        }
    }

    /// `provider`'s refund API, its client from the environment; nil for Telegram, whose Stars are
    /// refunded by charge (`payctl stars refund`).
    package static func refundGateway(_ provider: Provider, config: Config) throws -> (any RefundGateway)? {
        switch provider {
        case .yookassa: try YooKassaClient(config: config)
        case .stripe: try StripeClient(config: config)
        case .telegram: nil
        }
    }

    /// `provider`'s read-only view of one payment or purchase (`payctl trace --provider`), its
    /// client from the environment.
    package static func lookup(_ provider: Provider, config: Config) throws -> any ProviderLookup {
        switch provider {
        case .yookassa: YooKassaLookup(client: try YooKassaClient(config: config))
        case .stripe: StripeLookup(client: try StripeClient(config: config))
        case .telegram: TelegramLookup(client: try TelegramClient(config: config))
        }
    }

    /// Where an operator looks when no delivery of `provider` arrived at all.
    package static func whereToLookWhenNothingArrived(_ provider: Provider) -> [String] {
        switch provider {
        case .stripe:
            [
                "Check the endpoint URL and its enabled events in the Stripe Dashboard (Developers → Webhooks).",
                "`payctl stripe events --failed` lists events Stripe could not deliver; `payctl stripe events` shows what Stripe sent.",
                "Look for the functions' log lines: no \"Stripe webhook received\" means requests never reached the function.",
            ]
        case .yookassa:
            [
                "Check the HTTP notification URL and its events in YooKassa's merchant profile (Integration → HTTP notifications).",
                "Look for the functions' log lines: no \"YooKassa webhook received\" means notifications never reached the function.",
            ]
        case .telegram:
            [
                "Call the Bot API's getWebhookInfo: its url, last_error_message and pending_update_count say what Telegram sees.",
                "Look for the functions' log lines: no \"Telegram webhook received\" means updates never reached the function.",
            ]
        }
    }
}
