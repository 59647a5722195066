import Core

FunctionMain.run(name: "reconcile", makeHandler: ReconcileHandler.make)
