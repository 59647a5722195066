/// The responder's side of one FastCGI connection as a state machine fed the bytes that arrive,
/// in pieces of any size. It holds at most one record, the params (up to `paramsLimit`) and the
/// body (up to `bodyLimit`) of the one request in progress: whatever a peer sends, that is all
/// the memory a connection takes.
package struct FastCGIParser {
    /// One request as FastCGI delivers it.
    package struct Request: Equatable, Sendable {
        /// The request id the peer chose.
        package let id: UInt16
        /// FCGI_KEEP_CONN: the peer sends more requests on this connection.
        package let keepConnection: Bool
        /// The CGI/1.1 variables.
        package var params: [String: String] = [:]
        /// The body; empty when it was too large.
        package var stdin: [UInt8] = []
        /// The body ran past the limit; what came of it was thrown away.
        package var bodyTooLarge = false
    }

    /// What the connection must do next, in order.
    package enum Event: Equatable, Sendable {
        /// A whole request to answer.
        case request(Request)
        /// Records to send back now (refusals, management answers).
        case reply([UInt8])
        /// The peer broke the protocol or a limit; close the connection. The reason is a log word.
        case failure(String)
    }

    /// The most bytes of params one request may send.
    package static let defaultParamsLimit = 65_536

    private let paramsLimit: Int
    private let bodyLimit: Int
    private var pending: [UInt8] = []
    private var request: Request?
    private var paramBytes: [UInt8] = []
    private var paramsEnded = false
    private var failed = false

    /// A parser for one connection: bodies over `bodyLimit` bytes are dropped and flagged,
    /// params over `paramsLimit` bytes fail the connection.
    package init(bodyLimit: Int, paramsLimit: Int = defaultParamsLimit) {
        self.bodyLimit = bodyLimit
        self.paramsLimit = paramsLimit
    }

    /// Takes the next bytes from the peer; returns what they complete. After a failure it takes
    /// nothing more.
    package mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        guard !failed else { return [] }
        pending += bytes
        var events: [Event] = []
        var start = 0
        while pending.count - start >= FastCGIRecord.headerLength {
            guard pending[start] == 1 else {
                failed = true
                return events + [.failure("protocol_error")]
            }
            let length = Int(pending[start + 4]) << 8 | Int(pending[start + 5])
            let total = FastCGIRecord.headerLength + length + Int(pending[start + 6])
            guard pending.count - start >= total else { break }
            let type = pending[start + 1]
            let id = UInt16(pending[start + 2]) << 8 | UInt16(pending[start + 3])
            let content = pending[(start + FastCGIRecord.headerLength)..<(start + FastCGIRecord.headerLength + length)]
            start += total
            if let event = take(type: type, id: id, content: content) {
                events.append(event)
                if case .failure = event {
                    failed = true
                    return events
                }
            }
        }
        pending.removeFirst(start)
        return events
    }

    private mutating func take(type: UInt8, id: UInt16, content: ArraySlice<UInt8>) -> Event? {
        guard let kind = FastCGIRecord.Kind(rawValue: type) else {
            return .reply(FastCGIRecord.encode(.unknownType, id: 0, content: [type, 0, 0, 0, 0, 0, 0, 0]))
        }
        switch kind {
        case .beginRequest:
            guard content.count >= 3 else { return .failure("protocol_error") }
            if let request {
                return request.id == id
                    ? .failure("protocol_error") : .reply(FastCGIRecord.endRequest(id: id, .cantMultiplexConnection))
            }
            let role = UInt16(content[content.startIndex]) << 8 | UInt16(content[content.startIndex + 1])
            guard role == 1 else { return .reply(FastCGIRecord.endRequest(id: id, .unknownRole)) }
            request = Request(id: id, keepConnection: content[content.startIndex + 2] & 1 == 1)
            paramBytes = []
            paramsEnded = false
        case .params where request?.id == id && !paramsEnded:
            if content.isEmpty {
                request?.params = FastCGIRecord.decodeParams(paramBytes)
                paramBytes = []
                paramsEnded = true
            } else {
                guard paramBytes.count + content.count <= paramsLimit else { return .failure("params_too_large") }
                paramBytes += content
            }
        case .stdin where request?.id == id:
            guard var current = request else { break }
            request = nil
            if content.isEmpty { return .request(current) }
            if current.stdin.count + content.count > bodyLimit {
                current.bodyTooLarge = true
                current.stdin = []
            }
            if !current.bodyTooLarge { current.stdin += content }
            request = current
        case .abortRequest where request?.id == id:
            request = nil
            return .reply(FastCGIRecord.endRequest(id: id, .requestComplete))
        case .getValues:
            return .reply(
                FastCGIRecord.encode(
                    .getValuesResult, id: 0,
                    content: FastCGIRecord.encodeParams([
                        "FCGI_MPXS_CONNS": "0", "FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "1",
                    ])))
        default:
            break
        }
        return nil
    }
}
