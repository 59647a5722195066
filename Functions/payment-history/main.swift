import Core

FunctionMain.run(name: "payment-history", makeHandler: PaymentHistoryHandler.make)
