import Core

/// The six functions: their names, routes and handler factories.
enum FunctionTable {
    static let routes: [(name: String, path: String)] = [
        ("create-intent", "/api/public/payments"),
        ("yookassa-webhook", "/api/webhooks/yookassa"),
        ("stripe-webhook", "/api/webhooks/stripe"),
        ("stars-invoice", "/api/v1/purchase/invoice"),
        ("stars-purchase", "/api/v1/purchase"),
        ("stars-webhook", "/api/v1/purchase/webhook"),
    ]

    static func factory(_ name: String) -> ((FunctionContext) throws -> any Handler)? {
        switch name {
        case "create-intent": CreateIntentHandler.make
        case "yookassa-webhook": YooKassaWebhookSource.make
        case "stripe-webhook": StripeWebhookSource.make
        case "stars-invoice": StarsInvoiceHandler.make
        case "stars-purchase": StarsPurchaseHandler.make
        case "stars-webhook": TelegramWebhookSource.make
        default: nil
        }
    }
}
