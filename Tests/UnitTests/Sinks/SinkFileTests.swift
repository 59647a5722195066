import Core
import Testing

@Suite struct SinkFileTests {
    static let secret = "whsec_" + String(repeating: "QUJD", count: 8)
    static let environment = [
        "CRM_WEBHOOK_SECRET": secret, "USER_SERVICE_TOKEN": "token-123", "OTHER_SECRET": "\(secret) \(secret)",
    ]

    private func parse(_ json: String, environment: [String: String] = environment) throws(ConfigError) -> [Sink] {
        try SinkFile.parse(Array(json.utf8), config: Config(environment: environment))
    }

    static func webhook(_ sink: Sink) -> WebhookSink? {
        if case .webhook(let webhook) = sink.destination { webhook } else { nil }
    }

    private func userService(_ sink: Sink) -> UserServiceSink? {
        if case .userService(let users) = sink.destination { users } else { nil }
    }

    private func telegram(_ sink: Sink) -> TelegramSink? {
        if case .telegram(let telegram) = sink.destination { telegram } else { nil }
    }

    @Test func readsTheDocumentedExample() throws {
        let sinks = try parse(
            """
            {"sinks": [
              {"name": "crm", "kind": "webhook", "url": "https://crm.example/hooks/payments",
               "events": ["booking_paid", "payment_failed"], "secret_env": "CRM_WEBHOOK_SECRET", "timeout_ms": 5000},
              {"name": "users", "kind": "user-service", "url": "https://users.internal/",
               "events": ["subscription_paid", "subscription_revoked"], "token_env": "USER_SERVICE_TOKEN"},
              {"name": "buyer", "kind": "telegram", "events": ["purchase_succeeded"], "chat": "buyer"},
              {"name": "ops", "kind": "telegram", "events": ["*"], "chat": -100123}
            ]}
            """)
        #expect(sinks.map(\.name) == ["crm", "users", "buyer", "ops"])
        #expect(sinks[0].wants(.bookingPaid) && !sinks[0].wants(.subscriptionPaid))
        #expect(userService(sinks[1])?.url == "https://users.internal" && userService(sinks[1])?.token == "token-123")
        #expect(telegram(sinks[2])?.chat == .buyer && telegram(sinks[3])?.chat == .id(-100_123))
        #expect(sinks[3].wants(.dealRefunded))
    }

    @Test func urlsMayComeFromTheEnvironment() throws {
        let file = #"{"sinks":[{"name":"a","kind":"user-service","url":"${USERS_URL}","events":["*"]}]}"#
        let sinks = try parse(file, environment: ["USERS_URL": "http://127.0.0.1:9/"])
        #expect(userService(sinks[0])?.url == "http://127.0.0.1:9")
        #expect(throws: ConfigError.self) { try parse(file, environment: [:]) }
    }

    @Test func theShippedFileNeedsItsVariables() throws {
        let bytes = try Repo.bytes("sinks.json")
        let environment = Self.environment.merging([
            "CRM_WEBHOOK_URL": "https://crm.example/hooks", "USER_SERVICE_URL": "https://users.example",
        ]) { _, new in new }
        let sinks = try SinkFile.parse(bytes, config: Config(environment: environment))
        #expect(sinks.map(\.kind) == [.webhook, .userService, .telegram])
    }

    @Test func severalSecretsRotate() throws {
        let sinks = try parse(
            #"{"sinks":[{"name":"a","kind":"webhook","url":"http://127.0.0.1:1/x","events":["*"],"secret_env":"OTHER_SECRET"}]}"#
        )
        #expect(Self.webhook(sinks[0])?.secrets.count == 2)
    }

    @Test(arguments: [
        (#"{"sinks":[{"name":"a","kind":"fax","events":["*"]}]}"#, "sink a: kind"),
        (#"{"sinks":[{"name":"a b","kind":"webhook","events":["*"]}]}"#, "sink #1: name"),
        (
            #"{"sinks":[{"name":"a","kind":"webhook","url":"ftp://x","events":["*"],"secret_env":"CRM_WEBHOOK_SECRET"}]}"#,
            "sink a: url"
        ),
        (
            #"{"sinks":[{"name":"a","kind":"webhook","url":"http://x","events":["*"],"secret_env":"MISSING_SECRET"}]}"#,
            "MISSING_SECRET, which is not set"
        ),
        (
            #"{"sinks":[{"name":"a","kind":"webhook","url":"http://x","events":["*"],"secret_env":"HOME"}]}"#,
            "sink a: secret_env must name a variable ending in _SECRET"
        ),
        (
            #"{"sinks":[{"name":"a","kind":"webhook","url":"http://x","events":["*"],"secret_env":"USER_SERVICE_TOKEN"}]}"#,
            "whsec_"
        ),
        (
            #"{"sinks":[{"name":"a","kind":"webhook","url":"http://x","events":["booking_payed"],"secret_env":"CRM_WEBHOOK_SECRET"}]}"#,
            "no domain event type"
        ),
        (
            #"{"sinks":[{"name":"a","kind":"user-service","url":"http://x","events":["booking_paid"]}]}"#,
            "cannot act on"
        ),
        (#"{"sinks":[{"name":"a","kind":"telegram","events":["*"]}]}"#, "sink a: chat"),
        (#"{"sinks":[{"name":"a","kind":"telegram","events":["*"],"chat":"buyer","timeout_ms":5}]}"#, "timeout_ms"),
        (#"{"sinks":[{"name":"a","kind":"telegram","events":[],"chat":"buyer"}]}"#, "sink a: events"),
        (
            #"{"sinks":[{"name":"a","kind":"telegram","events":["*"],"chat":"buyer"},{"name":"a","kind":"telegram","events":["*"],"chat":1}]}"#,
            "used by two sinks"
        ),
        (#"{"sink":[]}"#, "\"sinks\" array"),
    ])
    func configurationErrorsNameTheSinkAndField(_ json: String, _ expected: String) {
        #expect {
            try parse(json)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.variable == "SINKS_PATH" && error.problem.contains(expected)
        }
    }

    @Test func secretValuesOfSinksAreRedacted() {
        let values = Config(environment: Self.environment).secretValues
        #expect(values.contains(Self.secret) && values.contains("token-123"))
    }

    @Test func onlyTheBuyersChatReadsTelegramsNoChatAnswersAsNoRecipient() throws {
        let sinks = try parse(
            """
            {"sinks": [{"name": "buyer", "kind": "telegram", "events": ["purchase_succeeded"], "chat": "buyer"},
                       {"name": "ops", "kind": "telegram", "events": ["*"], "chat": -100123}]}
            """, environment: Self.environment.merging(["TELEGRAM_BOT_TOKEN": "123:token-token"]) { _, new in new })
        let refusal = OutboundResponse(
            status: 403, headers: HTTPHeaders([]),
            body: Array(#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#.utf8))
        guard case .refused(403, let buyer) = try #require(telegram(sinks[0])).answer(refusal, now: 0) else {
            Issue.record("the buyer's refusal is a refusal")
            return
        }
        #expect(buyer == "no_recipient: HTTP 403: Forbidden: bot was blocked by the user")
        guard case .refused(403, let ops) = try #require(telegram(sinks[1])).answer(refusal, now: 0) else {
            Issue.record("a fixed chat's refusal is a refusal")
            return
        }
        #expect(ops == "HTTP 403", "a fixed chat that cannot be written to is the sink's own problem")
    }
}
