import Core

FunctionMain.run(name: "stars-webhook", makeHandler: TelegramWebhookSource.make)
