import Core
import Foundation
import Testing

/// The ways a request reaches a function in-process, each with the caller its gateway vouches for:
/// an API Gateway REST (v1) event with Cognito claims, an HTTP API (v2) event with JWT claims, or
/// CGI with the trusted header nginx sets (`TRUSTED_USER_HEADER=X-User-Id`).
enum Gateway: String, CaseIterable, Sendable {
    case v1
    case v2
    case cgi
}

/// An answer in any envelope: status, headers (names lower-cased) and body.
struct ReadAnswer {
    let status: Int
    let headers: [String: String]
    let body: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

extension World {
    /// `method path?query` to `function` through `gateway`, from `caller` (nil: anonymous).
    func read(
        _ function: String, _ path: String, query: String = "", caller: String? = nil, via gateway: Gateway = .v2,
        method: String = "GET", headers: [String: String] = [:], environment extra: [String: String] = [:]
    ) throws -> ReadAnswer {
        let make = try #require(FunctionTable.factory(function))
        var environment = self.environment.merging(extra) { _, new in new }
        var stdin: [UInt8] = []
        switch gateway {
        case .v1:
            var context: [String: Any] = ["requestId": "req-read", "identity": ["sourceIp": "203.0.113.7"]]
            if let caller { context["authorizer"] = ["claims": ["sub": caller, "token_use": "id"]] }
            let parameters = QueryPairs.parse(query)
            let event: [String: Any] = [
                "httpMethod": method, "path": path, "headers": headers,
                "queryStringParameters": parameters.isEmpty ? NSNull() : parameters as Any,
                "requestContext": context, "body": NSNull(), "isBase64Encoded": false,
            ]
            stdin = Array(try JSONSerialization.data(withJSONObject: event))
        case .v2:
            var context: [String: Any] = [
                "requestId": "req-read", "http": ["method": method, "path": path, "sourceIp": "203.0.113.7"],
            ]
            if let caller { context["authorizer"] = ["jwt": ["claims": ["sub": caller], "scopes": NSNull()]] }
            let event: [String: Any] = [
                "version": "2.0", "rawPath": path, "rawQueryString": query, "headers": headers,
                "isBase64Encoded": false, "requestContext": context,
            ]
            stdin = Array(try JSONSerialization.data(withJSONObject: event))
        case .cgi:
            environment.merge([
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
                "REQUEST_URI": path + (query.isEmpty ? "" : "?" + query), "QUERY_STRING": query,
                "REMOTE_ADDR": "127.0.0.1", "TRUSTED_USER_HEADER": environment["TRUSTED_USER_HEADER"] ?? "X-User-Id",
            ]) { _, new in new }
            for (name, value) in headers {
                environment["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value
            }
            if let caller { environment["HTTP_X_USER_ID"] = caller }
        }
        var input = BytesSource(stdin)
        let output = FunctionMain.invoke(
            name: function, environment: environment, input: &input, sink: MemorySink(), makeHandler: make)
        return gateway == .cgi ? try Self.cgiAnswer(output) : try Self.eventAnswer(output)
    }

    private static func eventAnswer(_ output: [UInt8]) throws -> ReadAnswer {
        let answer = try JSONDecoder().decode(GatewayAnswer.self, from: Data(output))
        return ReadAnswer(
            status: answer.statusCode,
            headers: Dictionary(answer.headers.map { ($0.key.lowercased(), $0.value) }) { first, _ in first },
            body: answer.body)
    }

    private static func cgiAnswer(_ output: [UInt8]) throws -> ReadAnswer {
        let text = String(decoding: output, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = try #require(parts.first).components(separatedBy: "\r\n")
        let statusLine = try #require(lines.first).split(separator: " ")
        let status = try #require(statusLine.count > 1 ? Int(statusLine[1]) : nil)
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1] }
        }
        return ReadAnswer(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

/// `a=1&b=2` as a dictionary, for a v1 event's `queryStringParameters`.
enum QueryPairs {
    static func parse(_ query: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            pairs[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return pairs
    }
}
