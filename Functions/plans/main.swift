import Core

FunctionMain.run(name: "plans", makeHandler: PlansHandler.make)
