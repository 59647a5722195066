import Core

FunctionMain.run(name: "stripe-webhook", makeHandler: StripeWebhookHandler.make)
