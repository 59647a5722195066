import Core

RelayMain.run()
