import Core

FunctionMain.run(name: "stars-invoice", makeHandler: StarsInvoiceHandler.make)
