import Core

FunctionMain.run(name: "stars-webhook", makeHandler: StarsWebhookHandler.make)
