import Core

FunctionMain.run(name: "yookassa-webhook", makeHandler: YooKassaWebhookHandler.make)
