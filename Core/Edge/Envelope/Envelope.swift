import Base
import FoundationEssentials

/// The three ways a request reaches a function, told apart automatically.
package enum Envelope: Sendable, Equatable {
    /// API Gateway REST (v1) proxy event on stdin.
    case apiGatewayV1
    /// HTTP API (v2) or Lambda Function URL event on stdin.
    case apiGatewayV2
    /// CGI/1.1 (RFC 3875): request in the environment, body on stdin.
    case cgi
    /// A timer's tick: an EventBridge scheduled event or `{}`, for a `ScheduledHandler` only (read
    /// as a `POST` of the event to `/`); the answer is the response body itself.
    case schedule

    /// The outcome of reading a request: the envelope it came in (so the answer goes back in
    /// the same one) and the request, or the error to answer with.
    package struct Reading {
        package let envelope: Envelope
        package let result: Result<HTTPRequest, APIError>
    }

    /// Reads one request from `environment` and `input`, refusing bodies over `bodyLimit` bytes.
    package static func read(environment: [String: String], input: inout some ByteSource, bodyLimit: Int) -> Reading {
        if environment["GATEWAY_INTERFACE"] != nil {
            return readCGI(environment: environment, input: &input, bodyLimit: bodyLimit)
        }
        // A base64 body grows by a third; the rest of an event is small.
        let eventLimit = bodyLimit / 3 * 4 + 262_144
        let bytes: [UInt8]
        do {
            bytes = try input.read(upTo: eventLimit + 1)
        } catch {
            return Reading(
                envelope: .apiGatewayV2,
                result: .failure(.badRequest("unreadable_event", "The event could not be read from standard input.")))
        }
        guard bytes.count <= eventLimit else {
            return Reading(envelope: .apiGatewayV2, result: .failure(.payloadTooLarge(limit: bodyLimit)))
        }
        return GatewayEvent.read(bytes, bodyLimit: bodyLimit)
    }

    /// Reads one CGI/1.1 request whatever `environment` holds: for a gateway that always speaks
    /// CGI, so its parameters cannot turn the request into an event that names its own source.
    static func readCGI(environment: [String: String], input: inout some ByteSource, bodyLimit: Int) -> Reading {
        Reading(envelope: .cgi, result: CGIRequest.read(environment: environment, input: &input, bodyLimit: bodyLimit))
    }

    /// The bytes to write on stdout for `response` in this envelope.
    package func write(_ response: HTTPResponse) -> [UInt8] {
        switch self {
        case .cgi: CGIRequest.write(response)
        case .apiGatewayV1, .apiGatewayV2: GatewayEvent.write(response)
        case .schedule: response.body
        }
    }

    /// A request id for a request whose gateway did not give one.
    static func makeRequestID() -> String { UUID().uuidString.lowercased() }

    /// A caller-supplied request id, if it is short and plain enough to log and echo.
    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ ASCII.isBase64($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") })
        else { return nil }
        return value
    }
}
