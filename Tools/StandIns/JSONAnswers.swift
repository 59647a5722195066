import Core
import Foundation

/// JSON answers shared by the stand-ins.
enum JSONAnswer {
    static func ok(_ object: Any, status: Int = 200) -> ServerAction { .respond(response(object, status: status)) }

    /// The answer `ok` gives, to add headers to or to delay.
    static func response(_ object: Any, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: encode(object))
    }

    static func encode(_ object: Any) -> [UInt8] {
        Array(
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8))
    }

    static func decodeObject(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}

/// The API Gateway v2 event a gateway would hand a function for a webhook delivery, so a
/// stand-in can print an event file instead of delivering over HTTP.
package enum GatewayEventFile {
    package static func v2(path: String, body: [UInt8], sourceIP: String, headers: [String: String] = [:]) -> [UInt8] {
        var allHeaders = ["content-type": "application/json", "content-length": String(body.count)]
        allHeaders.merge(headers.map { ($0.key.lowercased(), $0.value) }) { _, new in new }
        return JSONAnswer.encode(
            [
                "version": "2.0", "routeKey": "POST \(path)", "rawPath": path, "rawQueryString": "",
                "headers": allHeaders, "body": String(decoding: body, as: UTF8.self), "isBase64Encoded": false,
                "requestContext": [
                    "requestId": UUID().uuidString.lowercased(), "routeKey": "POST \(path)", "stage": "$default",
                    "http": [
                        "method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": sourceIP,
                        "userAgent": "stand-in",
                    ],
                ] as [String: Any],
            ] as [String: Any])
    }
}
