import Core

FunctionMain.run(name: "stars-purchase", makeHandler: StarsPurchaseHandler.make)
