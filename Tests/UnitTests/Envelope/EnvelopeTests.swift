import Core
import Foundation
import Testing

@testable import Edge

@Suite struct EnvelopeTests {
    static let limit = 1_048_576

    func read(_ bytes: [UInt8], environment: [String: String] = [:], limit: Int = limit) -> Envelope.Reading {
        var input = BytesSource(bytes)
        return Envelope.read(environment: environment, input: &input, bodyLimit: limit)
    }

    @Test func restAPIv1() throws {
        let reading = read(try Repo.bytes("Tests/UnitTests/Envelope/Fixtures/apigw-v1.json"))
        #expect(reading.envelope == .apiGatewayV1)
        let request = try reading.result.get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/public/payments")
        #expect(request.headers["idempotency-key"] == "order-42-attempt")
        #expect(request.headers["CONTENT-TYPE"] == "application/json")
        #expect(request.query == ["lang": "ru"])
        #expect(request.clientIP == "203.0.113.7")
        #expect(request.requestID == "e6f1d2c4-6b1b-4a59-9a4e-3c1f0a2b7d11")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"appointment_id":"apt-1001","service_slug":"haircut","kind":"deposit"}"#)
    }

    @Test func httpAPIv2() throws {
        let reading = read(try Repo.bytes("Tests/UnitTests/Envelope/Fixtures/apigw-v2.json"))
        #expect(reading.envelope == .apiGatewayV2)
        let request = try reading.result.get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/webhooks/yookassa")
        #expect(request.headers["User-Agent"] == "YooKassa")
        #expect(request.headers["cookie"] == "session=abc; theme=dark")
        #expect(request.query["retry"] == "1")
        #expect(request.clientIP == "185.71.76.5")
        #expect(request.requestID == "Jx7mQhXaFiAEMtw=")
        #expect(request.body.first == UInt8(ascii: "{"))
    }

    @Test func functionURLWithBase64Body() throws {
        let request = try read(try Repo.bytes("Tests/UnitTests/Envelope/Fixtures/function-url-base64.json")).result
            .get()
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"id":"evt_test_webhook","object":"event"}"#)
        #expect(request.headers["stripe-signature"]?.hasPrefix("t=1700000000,v1=") == true)
        #expect(request.requestID == "c0ffee00-0000-4000-8000-000000000001")
    }

    @Test func rawBodyBytesAreKeptExactly() throws {
        let body = "{\"a\":\"é \\u00e9\",\n  \"b\" : 1 }\r\n"
        let event = try JSONSerialization.data(
            withJSONObject: [
                "version": "2.0", "rawPath": "/x", "body": body, "isBase64Encoded": false,
                "requestContext": ["http": ["method": "post", "sourceIp": "::1"]],
            ] as [String: Any])
        let request = try read(Array(event)).result.get()
        #expect(request.body == Array(body.utf8))
        #expect(request.method == "POST")
    }

    @Test func cgi() throws {
        let body = Array(#"{"user_id":"u1","item_id":"hint-pack"}"#.utf8)
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST",
            "REQUEST_URI": "/api/v1/purchase/invoice?x=1&y=a%20b",
            "SCRIPT_NAME": "/api/v1/purchase/invoice", "QUERY_STRING": "x=1&y=a%20b",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": String(body.count), "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": "abc",
            "HTTP_X_REQUEST_ID": "nginx-req-1",
        ]
        let reading = read(body + Array("trailing bytes are not the body".utf8), environment: environment)
        #expect(reading.envelope == .cgi)
        let request = try reading.result.get()
        #expect(request.path == "/api/v1/purchase/invoice")
        #expect(request.query == ["x": "1", "y": "a b"])
        #expect(request.headers["X-Telegram-Bot-Api-Secret-Token"] == "abc")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.body == body)
        #expect(request.clientIP == "127.0.0.1")
        #expect(request.requestID == "nginx-req-1")
    }

    @Test func cgiAnswer() {
        let response = HTTPResponse(
            status: 201, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array("{}".utf8))
        #expect(
            String(decoding: Envelope.cgi.write(response), as: UTF8.self)
                == "Status: 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    }

    /// The `{"statusCode","headers","body","isBase64Encoded"}` answer, as API Gateway reads it.
    private struct Answer: Decodable {
        let statusCode: Int, headers: [String: String], body: String, isBase64Encoded: Bool
    }

    @Test func gatewayAnswer() throws {
        let response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(#"{"ok":true}"#.utf8)
        )
        let answer = try JSONDecoder().decode(Answer.self, from: Data(Envelope.apiGatewayV1.write(response)))
        #expect(answer.statusCode == 200)
        #expect(answer.body == #"{"ok":true}"#)
        #expect(answer.headers["Content-Type"] == "application/json")
        #expect(!answer.isBase64Encoded)
        let binary = try JSONDecoder().decode(
            Answer.self, from: Data(Envelope.apiGatewayV2.write(HTTPResponse(status: 200, body: [0xff, 0xfe]))))
        #expect(binary.isBase64Encoded)
        #expect(binary.body == "//4=")
    }

    @Test func oversizedBodiesGet413() throws {
        let big = String(repeating: "a", count: 2_049)
        let v2 = try JSONSerialization.data(
            withJSONObject: [
                "version": "2.0", "body": big, "requestContext": ["http": ["method": "POST"]],
            ] as [String: Any])
        #expect(code(read(Array(v2), limit: 2_048)) == "payload_too_large")
        #expect(status(read(Array(v2), limit: 2_048)) == 413)
        // An event far over the limit is refused before it is parsed.
        #expect(code(read(Array(repeating: UInt8(ascii: " "), count: 400_000), limit: 2_048)) == "payload_too_large")
        // CGI refuses on CONTENT_LENGTH without reading the body.
        let cgi = ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": "5000"]
        #expect(code(read([], environment: cgi, limit: 2_048)) == "payload_too_large")
    }

    @Test(arguments: [
        ("not json at all", "malformed_event"),
        ("[1,2,3]", "malformed_event"),
        ("", "malformed_event"),
        (#"{"hello":"world"}"#, "malformed_event"),
        (#"{"httpMethod":"POST","body":"***","isBase64Encoded":true}"#, "invalid_body_encoding"),
        (#"{"httpMethod":"POST","headers":{"a":1}}"#, "malformed_event"),
    ])
    func malformedEventsGet400(_ text: String, _ expectedCode: String) {
        let reading = read(Array(text.utf8))
        #expect(status(reading) == 400)
        #expect(code(reading) == expectedCode)
    }

    @Test(arguments: [
        " { } \n",
        #"{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","time":"2026-12-01T10:00:00Z","detail":{}}"#,
    ])
    func timerTicksAreScheduleRequests(_ text: String) throws {
        let reading = read(Array(text.utf8))
        #expect(reading.envelope == .schedule)
        let request = try reading.result.get()
        #expect(request.method == .post && request.path == "/", "a tick reads as a POST of its event to /")
        // The answer is the body itself: what a scheduled Lambda returns, or a timer's script reads.
        #expect(Envelope.schedule.write(.json(200, ["due": 0])) == Array(#"{"due":0}"#.utf8))
    }

    @Test func malformedCGI() {
        let base = ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST"]
        #expect(
            code(read([], environment: base.merging(["CONTENT_LENGTH": "12abc"]) { $1 })) == "invalid_content_length")
        #expect(
            code(read(Array("short".utf8), environment: base.merging(["CONTENT_LENGTH": "50"]) { $1 }))
                == "truncated_body")
    }

    private func code(_ reading: Envelope.Reading) -> String? {
        if case .failure(let error) = reading.result { return error.code }
        return nil
    }

    private func status(_ reading: Envelope.Reading) -> Int? {
        if case .failure(let error) = reading.result { return error.status }
        return nil
    }
}
