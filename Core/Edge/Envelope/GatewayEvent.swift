import Base
import FoundationEssentials

/// API Gateway REST (v1) and HTTP API (v2) / Function URL events: field names as AWS writes them.
///
/// One type decodes both, so the event is parsed once; `version: "2.0"` or
/// `requestContext.http` marks v2, `httpMethod` marks v1.
struct GatewayEvent: Decodable {
    struct Context: Decodable {
        struct Identity: Decodable { let sourceIp: String? }
        struct HTTP: Decodable {
            let method: String
            let path: String?
            let sourceIp: String?
        }
        let requestId: String?
        let identity: Identity?
        let http: HTTP?
        let authorizer: Authorizer?
    }

    /// What an authorizer attached: a JWT authorizer's claims (v2), a Cognito authorizer's claims
    /// (v1) or a Lambda authorizer's principal (v1). Claims of other shapes are passed over, not
    /// refused: only `sub` is read.
    struct Authorizer: Decodable {
        struct Claims: Decodable {
            let sub: String?
            init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: Key.self)
                sub = try? container.decodeIfPresent(String.self, forKey: .sub)
            }
            enum Key: CodingKey { case sub }
        }
        struct JWT: Decodable { let claims: Claims? }
        let jwt: JWT?
        let claims: Claims?
        let principalId: String?

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            jwt = try? container.decodeIfPresent(JWT.self, forKey: .jwt)
            claims = try? container.decodeIfPresent(Claims.self, forKey: .claims)
            principalId = try? container.decodeIfPresent(String.self, forKey: .principalId)
        }
        enum Key: CodingKey { case jwt, claims, principalId }

        /// The caller's subject, from the first of these that names one.
        var subject: String? { jwt?.claims?.sub ?? claims?.sub ?? principalId }
    }

    let version: String?
    let httpMethod: String?
    let path: String?
    let rawPath: String?
    let rawQueryString: String?
    let headers: [String: String]?
    let multiValueHeaders: [String: [String]]?
    let cookies: [String]?
    let queryStringParameters: [String: String]?
    let body: String?
    let isBase64Encoded: Bool?
    let requestContext: Context?
    /// EventBridge: `aws.events` for a scheduled event, and the event's id.
    let source: String?
    let id: String?

    static func read(_ bytes: [UInt8], bodyLimit: Int) -> Envelope.Reading {
        guard let event = try? JSONCoding.decode(GatewayEvent.self, from: bytes) else {
            return Envelope.Reading(
                envelope: .apiGatewayV2,
                result: .failure(
                    .badRequest(
                        "malformed_event", "The event is not an API Gateway v1 or v2 event in JSON.")))
        }
        if event.version == "2.0" || event.requestContext?.http != nil {
            return Envelope.Reading(envelope: .apiGatewayV2, result: event.requestV2(bodyLimit: bodyLimit))
        }
        if event.httpMethod != nil {
            return Envelope.Reading(envelope: .apiGatewayV1, result: event.requestV1(bodyLimit: bodyLimit))
        }
        if event.source == "aws.events" || bytes.filter({ !ASCII.isSpace($0) }) == Array("{}".utf8) {
            return Envelope.Reading(
                envelope: .schedule,
                result: .success(
                    HTTPRequest(
                        method: .post, path: "/", body: bytes,
                        requestID: event.id.flatMap(Envelope.acceptableRequestID) ?? Envelope.makeRequestID())))
        }
        return Envelope.Reading(
            envelope: .apiGatewayV2,
            result: .failure(
                .badRequest(
                    "malformed_event", "The event has neither httpMethod (v1) nor requestContext.http (v2).")))
    }

    private func requestV1(bodyLimit: Int) -> Result<HTTPRequest, APIError> {
        var fields = HTTPHeaders()
        if let multiValueHeaders {
            for (name, values) in multiValueHeaders.sorted(by: { $0.key < $1.key }) {
                for value in values { fields.add(name, value) }
            }
        } else if let headers {
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name, value) }
        }
        return request(
            method: httpMethod ?? "", path: path ?? "/", headers: fields,
            query: queryStringParameters ?? [:], clientIP: requestContext?.identity?.sourceIp, bodyLimit: bodyLimit)
    }

    private func requestV2(bodyLimit: Int) -> Result<HTTPRequest, APIError> {
        guard let http = requestContext?.http else {
            return .failure(.badRequest("malformed_event", "A v2 event needs requestContext.http.method."))
        }
        var fields = HTTPHeaders()
        if let headers {
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name, value) }
        }
        if let cookies, !cookies.isEmpty { fields.add("cookie", cookies.joined(separator: "; ")) }
        let query = queryStringParameters ?? rawQueryString.map(QueryString.parse) ?? [:]
        return request(
            method: http.method, path: rawPath ?? http.path ?? "/", headers: fields,
            query: query, clientIP: http.sourceIp, bodyLimit: bodyLimit)
    }

    private func request(
        method: String, path: String, headers: HTTPHeaders, query: [String: String], clientIP: String?, bodyLimit: Int
    ) -> Result<HTTPRequest, APIError> {
        var bytes: [UInt8] = []
        if let body {
            if isBase64Encoded == true {
                guard let decoded = Data(base64Encoded: body) else {
                    return .failure(
                        .badRequest("invalid_body_encoding", "The body is marked base64 but is not valid base64."))
                }
                bytes = Array(decoded)
            } else {
                bytes = Array(body.utf8)
            }
        }
        guard bytes.count <= bodyLimit else { return .failure(.payloadTooLarge(limit: bodyLimit)) }
        let requestID =
            Envelope.acceptableRequestID(requestContext?.requestId)
            ?? Envelope.acceptableRequestID(headers["x-request-id"]) ?? Envelope.makeRequestID()
        return .success(
            HTTPRequest(
                method: HTTPMethod(reported: method), path: path, query: query, headers: headers, body: bytes,
                clientIP: clientIP, requestID: requestID, caller: requestContext?.authorizer?.subject))
    }

    /// `{"statusCode":N,"headers":{…},"body":"…","isBase64Encoded":false}`; a body that is not
    /// UTF-8 goes base64 with `isBase64Encoded: true`.
    static func write(_ response: HTTPResponse) -> [UInt8] {
        struct Answer: Encodable {
            let statusCode: Int
            let headers: [String: String]
            let body: String
            let isBase64Encoded: Bool
        }
        var headers: [String: String] = [:]
        for field in response.headers {
            headers[field.name] = headers[field.name].map { "\($0), \(field.value)" } ?? field.value
        }
        let text = String(validating: response.body, as: UTF8.self)
        let answer = Answer(
            statusCode: response.status, headers: headers,
            body: text ?? Data(response.body).base64EncodedString(), isBase64Encoded: text == nil)
        return ((try? JSONCoding.encode(answer)) ?? Array(#"{"statusCode":500}"#.utf8)) + [0x0a]
    }
}
