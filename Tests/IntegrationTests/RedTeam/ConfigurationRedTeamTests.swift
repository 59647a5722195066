import Core
import Foundation
import Testing

/// Round three, findings 3 and 8: under CGI a client's header became a secret of the function and
/// masked common letters in its own log lines; and a rotating secret list was split one way by
/// the sinks file and another by the redactor.
@Suite struct ConfigurationRedTeamTests {
    private static func echo(_ context: FunctionContext) -> any Handler {
        ClosureHandler { _, _ in .json(200, ["ok": "yes"]) }
    }

    @Test func finding3_aClientsHeaderUnderCGIIsNeverASecret() throws {
        var input = BytesSource([])
        let sink = MemorySink()
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/echo", "CONTENT_LENGTH": "0",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_X_A_TOKEN": "e", "HTTP_X_LONGER_SECRET": "request completed",
        ]
        let output = FunctionMain.invoke(
            name: "echo", environment: environment, input: &input, sink: sink, makeHandler: Self.echo)
        #expect(String(decoding: output, as: UTF8.self).hasPrefix("Status: 200 OK\r\n"))
        let lines = sink.lines.joined(separator: "\n")
        #expect(lines.contains(#""message":"request completed""#), "\(lines)")
        #expect(!lines.contains(Redactor.mask))
        #expect(Config(environment: environment).secretValues.isEmpty)
    }

    @Test func finding3_aSecretShorterThanEightCharactersIsAConfigurationError() throws {
        let cases = [
            ("CRM_WEBHOOK_SECRET", "e"), ("USER_SERVICE_TOKEN", "token"),
            ("DATABASE_URL", "postgresql://u:k9@127.0.0.1:9/db"), ("STRIPE_WEBHOOK_SECRET", "whsec_long_enough_1,abc"),
        ]
        for (variable, value) in cases {
            let invocation = Invocation.v2(body: "{}", environment: [variable: value])
            let answer = try invocation.run(makeHandler: Self.echo)
            #expect(answer.statusCode == 500 && answer.errorCode == "configuration_error", "\(variable)")
            let everything = answer.body + invocation.sink.lines.joined()
            #expect(everything.contains("\"variable\":\"\(variable)\""), "\(variable) is named")
        }
        #expect(throws: Never.self) {
            try Config(environment: ["CRM_WEBHOOK_SECRET": "eight-ch", "HTTP_X_TOKEN": "e"]).checkSecretLengths()
        }
    }

    @Test func finding8_oneReadingOfASecretListForTheSinksTheRedactorAndStripe() throws {
        let first = "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()
        let second = "whsec_" + Data(repeating: 9, count: 24).base64EncodedString()
        for list in ["\(first) \(second)", "\(first),\(second)", "\(first), \(second)"] {
            let config = Config(environment: ["CRM_WEBHOOK_SECRET": list])
            let sinks = try SinkFile.parse(
                Array(
                    #"{"sinks":[{"name":"crm","kind":"webhook","url":"http://127.0.0.1:9","events":["*"],"secret_env":"CRM_WEBHOOK_SECRET"}]}"#
                        .utf8), config: config)
            guard case .webhook(let webhook) = sinks.first?.destination else {
                Issue.record("a webhook sink")
                continue
            }
            #expect(webhook.secrets.count == 2, "\(list)")
            let scrubbed = Redactor(secrets: config.secretValues).scrub("old \(first) new \(second)")
            #expect(scrubbed == "old \(Redactor.mask) new \(Redactor.mask)", "\(list)")
        }
        #expect(Config.secretList(" a,b  c\t,d ") == ["a", "b", "c", "d"])
    }
}
