import Core

FunctionMain.run(name: "health", makeHandler: HealthHandler.make)
