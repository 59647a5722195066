import Core

FunctionMain.run(name: "create-intent", makeHandler: CreateIntentHandler.make)
