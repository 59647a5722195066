import Core
import Foundation
import Logging
import Testing

/// Finding 7: secrets and card numbers in forms the redactor did not know reached logs and
/// error detail. Each form goes through each path: a log line's message, metadata and error, a
/// function's answer and log, and payctl's output.
@Suite struct RedactionRedTeamTests {
    static let yookassaKey = "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0"
    static let databasePassword = "p@ss/w0rd+Secret"

    /// Each leaked form, and the text that must never appear in output.
    static let leaks: [(form: String, text: String, forbidden: String)] = [
        ("card with dots", "card 4111.1111.1111.1111 typed", "1111.1111.1111"),
        ("card with slashes", "card 4111/1111/1111/1111 typed", "1111/1111/1111"),
        ("card with mixed separators", "card 4111 1111-1111.1111 typed", "1111-1111.1111"),
        ("card inside a longer digit run", "ref 1234111111111111111456 typed", "4111111111111111"),
        ("secret upper-cased", "key \(yookassaKey.uppercased()) seen", yookassaKey.uppercased()),
        (
            "secret percent-encoded", "pw=\(PercentEncoding.component(databasePassword))&x",
            PercentEncoding.component(databasePassword)
        ),
        (
            "secret in base64", "blob \(Data(yookassaKey.utf8).base64EncodedString()) end",
            String(Data(yookassaKey.utf8).base64EncodedString().prefix(40))
        ),
        (
            "secret inside base64 credentials without a scheme",
            "auth=\(Data("100500:\(yookassaKey)".utf8).base64EncodedString())",
            String(Data("100500:\(yookassaKey)".utf8).base64EncodedString().dropFirst(12).prefix(40))
        ),
        ("database password in a query", "connecting with Zq9-pass now", "Zq9-pass"),
        ("query-string database password", "uri postgresql:///db?host=/x&password=QueryPw0rd77", "QueryPw0rd77"),
    ]

    static let environment = [
        "YOOKASSA_SECRET_KEY": yookassaKey,
        "DATABASE_URL":
            "postgresql://payments:\(PercentEncoding.component(databasePassword))@db.internal/payments?password=QueryPw0rd77",
    ]

    @Test func finding7_everyFormIsRedactedInLogLines() throws {
        let config = Config(environment: Self.environment)
        let short = Config(environment: ["DATABASE_URL": "postgresql:///db?host=/tmp&password=Zq9-pass"])
        for (form, text, forbidden) in Self.leaks {
            let sink = MemorySink()
            let redactor = Redactor(secrets: config.secretValues + short.secretValues)
            let logger = JSONLogHandler.logger(
                function: "stripe-webhook", level: .trace, redactor: redactor, sink: sink)
            logger.error(
                "\(text)",
                metadata: ["detail": .string(text), "nested": .dictionary(["inner": .array([.string(text)])])])
            let log = sink.lines.joined(separator: "\n")
            #expect(!log.contains(forbidden), "\(form): \(log)")
            #expect(log.contains(Redactor.mask), "\(form)")
        }
    }

    @Test func finding7_databasePasswordInAQueryParameterStaysOutOfAnswersAndLogs() throws {
        let url =
            "postgresql:///payments?host=/nonexistent-socket-dir&port=5999&connect_timeout=1&password=QueryPw0rd77"
        let invocation = Invocation.v2(
            body: #"{"user_id":42,"item_id":"hint-pack"}"#, path: "/api/v1/purchase/invoice",
            environment: ["DATABASE_URL": url, "MOCK_PAYMENTS": "true", "CATALOG_PATH": Repo.path("catalog.json")])
        let answer = try invocation.run(name: "stars-invoice", makeHandler: StarsInvoiceHandler.make)
        #expect(answer.statusCode == 503)
        let everything = answer.body + invocation.sink.lines.joined(separator: "\n")
        #expect(!everything.contains("QueryPw0rd77"))
    }

    @Test func finding7_payctlOutputRedactsEveryForm() throws {
        let url =
            "postgresql://payments:\(PercentEncoding.component(Self.databasePassword))@/payments?host=/nonexistent-socket-dir&port=5999"
            + "&connect_timeout=1&password=QueryPw0rd77"
        let result = try Processes.run(["summary"], environment: ["DATABASE_URL": url])
        #expect(result.status == 3)
        for forbidden in [Self.databasePassword, PercentEncoding.component(Self.databasePassword), "QueryPw0rd77"] {
            #expect(!(result.stdout + result.stderr).contains(forbidden), "\(forbidden): \(result.stderr)")
        }
    }

    @Test func finding7_idsAndAmountsSurvive() {
        let redactor = Redactor(secrets: Config(environment: Self.environment).secretValues)
        for text in [
            "2203aa1d-000f-5000-8000-17102541fd31", "185.71.76.5", "2026-12-01 11:02:35", "amount 599.00 RUB",
            "update 700000123",
        ] {
            #expect(redactor.scrub(text) == text)
        }
    }
}
