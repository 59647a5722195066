import FoundationEssentials

/// What a handler answers; the envelope writes it back in the gateway's own format.
package struct HTTPResponse: Sendable, Equatable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer, encoded with sorted keys so equal values give equal bytes.
    package static func json<Value: Encodable>(_ status: Int, _ value: Value) -> HTTPResponse {
        json(status, body: (try? JSONCoding.encode(value)) ?? Array(#"{}"#.utf8))
    }

    /// A JSON value, written without an encoder (keys sorted as `JSONCoding` sorts them).
    package static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        json(status, body: value.jsonBytes)
    }

    /// A flat object of strings, keys sorted as `JSONCoding` sorts them, written without an
    /// encoder: a webhook's answer on every delivery.
    package static func json(_ status: Int, _ fields: [String: String]) -> HTTPResponse {
        json(status, body: JSONLine.object(fields.sorted { $0.key < $1.key }))
    }

    private static func json(_ status: Int, body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
    }

    /// The one error shape every function answers with:
    /// `{"error":{"code":…,"message":…,"request_id":…}}`.
    package static func error(_ error: APIError, requestID: String) -> HTTPResponse {
        var response = json(
            error.status, ErrorBody(error: .init(code: error.code, message: error.message, request_id: requestID)))
        for field in error.headers { response.headers.add(field.name, field.value) }
        return response
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let request_id: String
        }
        let error: Detail
    }
}
