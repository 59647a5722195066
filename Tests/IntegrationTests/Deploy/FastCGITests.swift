import Core
import Foundation
import Glibc
import Testing

@testable import Edge

/// The function executable as a long-lived FastCGI responder (`FASTCGI_LISTEN`), and the record
/// parser it is built on.
@Suite struct FastCGITests {
    typealias Client = FastCGIClient

    @Test func oneProcessAnswersManyRequestsOnOneDatabaseConnection() throws {
        let world = try World()
        let function = try WarmFunction("stars-invoice", environment: world.environment)
        let params = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/v1/purchase/invoice",
            "CONTENT_TYPE": "application/json", "REMOTE_ADDR": "127.0.0.1",
        ]
        func invoice(id: UInt16, user: Int, keep: Bool) -> [UInt8] {
            let body = Array(#"{"user_id":\#(user),"item_id":"hint-pack"}"#.utf8)
            return Client.request(
                id: id, params: params.merging(["CONTENT_LENGTH": String(body.count)]) { _, new in new }, body: body,
                keep: keep)
        }
        let client = try Client(path: function.socket)
        client.send(invoice(id: 1, user: 1, keep: true))
        #expect(try client.answer(id: 1).hasPrefix("Status: 201 Created\r\n"))
        client.send(invoice(id: 2, user: 1, keep: false))
        #expect(try client.answer(id: 2).hasPrefix("Status: 200 OK\r\n"), "the same purchase, reused")
        client.close()
        let other = try Client(path: function.socket)
        defer { other.close() }
        other.send(invoice(id: 1, user: 2, keep: false))
        #expect(try other.answer(id: 1).hasPrefix("Status: 201 Created\r\n"))
        let refused = try Client(path: function.socket)
        defer { refused.close() }
        refused.send(
            Client.request(
                id: 7, params: params.merging(["CONTENT_LENGTH": "9999999"]) { _, new in new }, body: [], keep: false))
        #expect(try refused.answer(id: 7).hasPrefix("Status: 413"))

        let connections = try PGConnection(url: world.databaseURL).query(
            "SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = 'stars-invoice' AND datname = current_database()"
        )
        #expect(try connections.first?.int("count") == 1, "one warm connection for every request")
        #expect(try world.count("SELECT count(*) FROM purchases") == 2)
    }

    static let params = ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": "5"]

    @Test func theParserGivesTheSameEventsWhateverSizeThePiecesArrive() {
        let bytes =
            Client.request(id: 3, params: Self.params, body: Array("hello".utf8), keep: true)
            + Client.record(9, id: 0, Client.encode(["FCGI_MAX_CONNS": ""])) + Client.record(200, id: 0)
        let expected: [FastCGIParser.Event] = [
            .request(
                FastCGIParser.Request(id: 3, keepConnection: true, params: Self.params, stdin: Array("hello".utf8))),
            .reply(
                FastCGIRecord.encode(
                    .getValuesResult, id: 0,
                    content: FastCGIRecord.encodeParams([
                        "FCGI_MPXS_CONNS": "0", "FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "1",
                    ]))),
            .reply(FastCGIRecord.encode(.unknownType, id: 0, content: [200, 0, 0, 0, 0, 0, 0, 0])),
        ]
        var whole = FastCGIParser(bodyLimit: 1_024)
        #expect(whole.feed(bytes) == expected)
        var trickled = FastCGIParser(bodyLimit: 1_024)
        #expect(bytes.flatMap { trickled.feed([$0]) } == expected)
    }

    @Test func theParserKeepsNoMoreThanItsLimits() {
        var parser = FastCGIParser(bodyLimit: 4, paramsLimit: 64)
        let body = Client.request(id: 1, params: Self.params, body: Array("hello".utf8), keep: false)
        #expect(
            parser.feed(body) == [
                .request(FastCGIParser.Request(id: 1, keepConnection: false, params: Self.params, bodyTooLarge: true))
            ])
        let params =
            Client.begin(id: 2, keep: false)
            + Client.records(Client.params, id: 2, Client.encode(["HTTP_X": String(repeating: "a", count: 64)]))
        #expect(parser.feed(params) == [.failure("params_too_large")])
        #expect(parser.feed(body).isEmpty, "nothing after a failure")
        var garbage = FastCGIParser(bodyLimit: 4)
        #expect(garbage.feed(Array("GET / HTTP/1.1\r\n".utf8)) == [.failure("protocol_error")])
    }

    @Test func theParserRefusesASecondRequestWhileOneIsInProgress() {
        var parser = FastCGIParser(bodyLimit: 1_024)
        let first = Client.request(id: 1, params: Self.params, body: Array("hello".utf8), keep: true)
        let events = parser.feed(
            Client.begin(id: 1, keep: true) + Client.begin(id: 2, keep: true) + first.dropFirst(16))
        #expect(
            events == [
                .reply(FastCGIRecord.endRequest(id: 2, .cantMultiplexConnection)),
                .request(
                    FastCGIParser.Request(id: 1, keepConnection: true, params: Self.params, stdin: Array("hello".utf8))),
            ])
        #expect(
            parser.feed(Client.begin(id: 4, keep: true) + Client.begin(id: 4, keep: true)) == [
                .failure("protocol_error")
            ])
    }
}
