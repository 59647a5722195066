import Core

FunctionMain.run(name: "yookassa-webhook", makeHandler: YooKassaWebhookSource.make)
