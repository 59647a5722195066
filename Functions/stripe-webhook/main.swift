import Core

FunctionMain.run(name: "stripe-webhook", makeHandler: StripeWebhookSource.make)
