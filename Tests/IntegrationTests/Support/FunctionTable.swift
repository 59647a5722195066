import Core

/// The HTTP functions: their names, routes and handler factories.
enum FunctionTable {
    static let routes: [(name: String, path: String)] = [
        ("create-intent", "/api/public/payments"),
        ("yookassa-webhook", "/api/webhooks/yookassa"),
        ("stripe-webhook", "/api/webhooks/stripe"),
        ("stars-invoice", "/api/v1/purchase/invoice"),
        ("stars-purchase", "/api/v1/purchase"),
        ("stars-webhook", "/api/v1/purchase/webhook"),
        ("get-payment", "/api/v1/payments/0b9d7f1c-3f6e-4a44-9b5e-2f1d8c7a6e51"),
        ("payment-history", "/api/v1/payments/history"),
        ("get-purchase", "/api/v1/purchase/order-1001"),
        ("plans", "/plans"),
        ("health", "/health"),
    ]

    static func factory(_ name: String) -> ((FunctionContext) throws -> any Handler)? {
        switch name {
        case "create-intent": CreateIntentHandler.make
        case "yookassa-webhook": YooKassaWebhookSource.make
        case "stripe-webhook": StripeWebhookSource.make
        case "stars-invoice": StarsInvoiceHandler.make
        case "stars-purchase": StarsPurchaseHandler.make
        case "stars-webhook": TelegramWebhookSource.make
        case "get-payment": GetPaymentHandler.make
        case "payment-history": PaymentHistoryHandler.make
        case "get-purchase": GetPurchaseHandler.make
        case "plans": PlansHandler.make
        case "health": HealthHandler.make
        default: nil
        }
    }
}
