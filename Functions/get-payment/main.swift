import Core

FunctionMain.run(name: "get-payment", makeHandler: GetPaymentHandler.make)
