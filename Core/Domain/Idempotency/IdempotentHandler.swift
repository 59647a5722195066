import Base
import Logging

/// Wraps a handler so that a request carrying an idempotency key (header `Idempotency-Key`, or
/// `idempotency_key` in a JSON body) runs at most once: the same key and request replays the
/// stored answer with `Idempotent-Replayed: true`; the same key with another request gets 422;
/// a request still in flight gets 409 with `Retry-After`.
///
/// Keys are the caller's own: with an identity from the gateway, the same key from another user
/// is another key.
///
/// Answers below 500 are stored. A 5xx releases the key instead, so the client's retry runs
/// again; the wrapped use case must be safe to resume.
package struct IdempotentHandler: Handler {
    private let inner: any Handler
    private let scope: String
    private let database: Database
    private let lease: Int
    private let ttl: Int

    /// Wraps `inner`; keys live in `scope` (the function's name) and are read from
    /// `IDEMPOTENCY_LOCK_TIMEOUT` (lease seconds, default 60) and `IDEMPOTENCY_TTL` (default 24 h).
    package init(wrapping inner: any Handler, context: FunctionContext) throws {
        self.inner = inner
        self.scope = context.name
        self.database = try context.store()
        self.lease = try context.config.integer("IDEMPOTENCY_LOCK_TIMEOUT", default: 60, in: 1...3_600)
        self.ttl = try context.config.integer("IDEMPOTENCY_TTL", default: 86_400, in: 60...2_592_000)
    }

    package var method: HTTPMethod { inner.method }
    package var browserFacing: Bool { inner.browserFacing }

    package func handle(_ request: HTTPRequest, logger: Logger) throws -> HTTPResponse {
        guard let key = try Self.key(in: request) else { return try inner.handle(request, logger: logger) }
        let store = IdempotencyStore(connection: try database.connection())
        let fingerprint = Crypto.sha256(Array("\(request.method) \(request.path)\n".utf8) + request.body).hexString
        let scope = request.caller.map { "\(self.scope)@\($0)" } ?? self.scope
        switch try store.claim(scope: scope, key: key, fingerprint: fingerprint, lease: lease, ttl: ttl) {
        case .replay(var stored):
            logger.info("idempotent replay", metadata: ["status": .stringConvertible(stored.status)])
            stored.headers.set("Idempotent-Replayed", "true")
            return stored
        case .mismatch:
            logger.warning("idempotency key reused for a different request")
            throw APIError.unprocessable(
                "idempotency_key_reused", "This Idempotency-Key was already used for a different request.")
        case .inFlight(let retryAfter):
            logger.info("idempotent request in flight", metadata: ["retry_after": .stringConvertible(retryAfter)])
            throw APIError(
                409, "request_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                headers: HTTPHeaders([("Retry-After", String(retryAfter))]))
        case .acquired(let claim):
            if claim.tookOver { logger.notice("idempotency key taken over after its lease ran out") }
            return try run(request, claim: claim, store: store, logger: logger)
        }
    }

    private func run(
        _ request: HTTPRequest, claim: IdempotencyStore.Claim, store: IdempotencyStore, logger: Logger
    ) throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try inner.handle(request, logger: logger)
        } catch let error as APIError where error.status < 500 {
            response = .error(error, requestID: request.requestID)
        } catch {
            try? store.release(claim)
            throw error
        }
        if response.status >= 500 {
            try store.release(claim)
        } else if try !store.complete(claim, with: response) {
            logger.warning("idempotency claim was taken over before this request finished")
        }
        return response
    }

    /// The key from the header or the body; nil when there is none.
    static func key(in request: HTTPRequest) throws -> String? {
        var key = request.headers["Idempotency-Key"]
        if key == nil, request.body.first == UInt8(ascii: "{"),
            let body = try? JSONCoding.decode(BodyKey.self, from: request.body)
        {
            key = body.idempotency_key
        }
        guard let key else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw APIError.badRequest(
                "invalid_idempotency_key", "The idempotency key must be 1 to 255 visible ASCII characters.")
        }
        return key
    }

    private struct BodyKey: Decodable { let idempotency_key: String? }
}
