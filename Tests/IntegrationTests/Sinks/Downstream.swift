import Core
import Foundation
import StandIns

/// A downstream stand-in listening on loopback for one test, and a way to call it.
final class Downstream {
    let standIn: DownstreamStandIn
    private let server: LoopbackServer

    var baseURL: String { server.baseURL }
    var port: Int { server.port }

    init(receiverSecrets: [String: [String]] = [:]) throws {
        standIn = try DownstreamStandIn(receiverSecrets: receiverSecrets)
        server = try LoopbackServer(handler: standIn.handle)
    }

    deinit { server.stop() }

    /// Sends one request on a connection of its own.
    func send(
        _ path: String, method: HTTPMethod = .post, body: String = "", headers: HTTPHeaders = HTTPHeaders(),
        timeoutMilliseconds: Int = 5_000
    ) throws -> OutboundResponse {
        try CurlHTTPClient().send(
            OutboundRequest(
                method: method, url: baseURL + path, headers: headers, body: Array(body.utf8),
                timeoutMilliseconds: timeoutMilliseconds))
    }

    /// `webhook-*` headers for `body`, signed now (or `age` seconds ago) with `secrets`.
    static func signed(
        _ body: String, id: String = "msg_\(UUID().uuidString.prefix(8))", age: Int64 = 0,
        secrets: [String] = [DownstreamStandIn.defaultWebhookSecret]
    ) throws -> HTTPHeaders {
        try StandardWebhooks.sign(
            id: id, timestamp: Int64(Date().timeIntervalSince1970) - age, body: Array(body.utf8),
            secrets: try secrets.map(StandardWebhookSecret.init)
        ).fields
    }
}
