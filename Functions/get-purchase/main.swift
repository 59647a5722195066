import Core

FunctionMain.run(name: "get-purchase", makeHandler: GetPurchaseHandler.make)
