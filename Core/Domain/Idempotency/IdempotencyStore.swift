import Base
import FoundationEssentials

/// Client idempotency keys in `idempotency_keys`, claimed atomically.
///
/// A claim is an `INSERT … ON CONFLICT DO NOTHING`: of any number of concurrent requests with one
/// key exactly one inserts the row and runs; the others read it and replay, refuse or wait.
/// An in-flight claim holds a lease (`locked_until`); when its process dies, the lease runs out
/// and the next request with the same key takes it over. Completing or releasing checks the
/// claim's owner, so a process whose lease was taken over cannot overwrite the new owner's work.
package struct IdempotencyStore {
    /// A held claim: completing or releasing it needs this.
    package struct Claim: Sendable, Equatable {
        package let scope: String
        package let key: String
        package let owner: UUID
        /// True when this claim took over an expired key or a stale in-flight one.
        package let tookOver: Bool
    }

    /// What claiming a key found.
    package enum Outcome: Sendable, Equatable {
        /// This request owns the key and must run, then complete or release it.
        case acquired(Claim)
        /// The same request already completed: answer with this stored response.
        case replay(HTTPResponse)
        /// The key was used for a different request.
        case mismatch
        /// The same request is still running elsewhere; retry after this many seconds.
        case inFlight(retryAfter: Int)
    }

    private let connection: PGConnection

    package init(connection: PGConnection) { self.connection = connection }

    private enum SQL {
        static let insert = """
            INSERT INTO idempotency_keys (scope, key, fingerprint, state, owner, locked_until, expires_at)
            VALUES ($1, $2, $3, 'in_flight', $4::uuid, now() + $5::int * interval '1 second', now() + $6::int * interval '1 second')
            ON CONFLICT (scope, key) DO NOTHING
            RETURNING key
            """
        static let find = """
            SELECT fingerprint, state, response_status, response_headers, encode(response_body, 'hex') AS response_body,
                   expires_at <= now() AS expired,
                   locked_until <= now() AS stale,
                   greatest(1, ceil(extract(epoch FROM (locked_until - now()))))::int AS retry_after
            FROM idempotency_keys WHERE scope = $1 AND key = $2
            """
        static let takeOver = """
            UPDATE idempotency_keys
            SET fingerprint = $3, state = 'in_flight', owner = $4::uuid,
                locked_until = now() + $5::int * interval '1 second', expires_at = now() + $6::int * interval '1 second',
                response_status = NULL, response_headers = NULL, response_body = NULL, created_at = now()
            WHERE scope = $1 AND key = $2
              AND (expires_at <= now() OR (state = 'in_flight' AND locked_until <= now() AND fingerprint = $3))
            RETURNING key
            """
        static let complete = """
            UPDATE idempotency_keys
            SET state = 'completed', locked_until = NULL,
                response_status = $4, response_headers = $5::jsonb, response_body = decode($6, 'hex')
            WHERE scope = $1 AND key = $2 AND owner = $3::uuid AND state = 'in_flight'
            """
        static let release = """
            DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND owner = $3::uuid AND state = 'in_flight'
            """
        static let countExpired = "SELECT count(*) AS expired FROM idempotency_keys WHERE expires_at <= now()"
        static let purgeBatch = """
            DELETE FROM idempotency_keys WHERE (scope, key) IN (
                SELECT scope, key FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)
            """
    }

    /// Claims `key` in `scope` for a request whose fingerprint is `fingerprint`.
    ///
    /// - Parameters:
    ///   - lease: seconds an in-flight claim is held before another request may take it over.
    ///   - ttl: seconds a key is remembered.
    package func claim(scope: String, key: String, fingerprint: String, lease: Int, ttl: Int) throws -> Outcome {
        let owner = UUID()
        let parameters: [(any SQLParameter)?] = [scope, key, fingerprint, owner, lease, ttl]
        // Three rounds cover a row purged or taken over between our statements.
        for _ in 0..<3 {
            if try connection.query(SQL.insert, parameters).count == 1 {
                return .acquired(Claim(scope: scope, key: key, owner: owner, tookOver: false))
            }
            guard let row = try connection.query(SQL.find, [scope, key]).first else { continue }
            let expired = try row.bool("expired") ?? false
            let sameRequest = try row.requiredString("fingerprint") == fingerprint
            let stale = try row.bool("stale") ?? false
            let state = try row.requiredString("state")
            if expired || (sameRequest && stale && state == "in_flight") {
                if try connection.query(SQL.takeOver, parameters).count == 1 {
                    return .acquired(Claim(scope: scope, key: key, owner: owner, tookOver: true))
                }
                continue
            }
            guard sameRequest else { return .mismatch }
            if state == "completed" { return .replay(try storedResponse(row)) }
            return .inFlight(retryAfter: Int(try row.int("retry_after") ?? 1))
        }
        return .inFlight(retryAfter: 1)
    }

    /// Stores the response of a claimed request; false when the claim was lost to a takeover.
    @discardableResult
    package func complete(_ claim: Claim, with response: HTTPResponse) throws -> Bool {
        let headers = JSONValue.array(response.headers.map { .array([.string($0.name), .string($0.value)]) })
        let result = try connection.query(
            SQL.complete,
            [
                claim.scope, claim.key, claim.owner, response.status, headers, response.body.hexString,
            ])
        return result.affectedRows == 1
    }

    /// Gives a claim up so the next request with the key runs again (after a retryable failure).
    package func release(_ claim: Claim) throws {
        try connection.query(SQL.release, [claim.scope, claim.key, claim.owner])
    }

    /// How many keys have expired.
    package func expiredCount() throws -> Int {
        Int(try connection.query(SQL.countExpired).first?.requiredInt("expired") ?? 0)
    }

    /// Deletes expired keys in batches; returns how many went.
    package func purgeExpired(batchSize: Int = 1_000) throws -> Int {
        var total = 0
        while true {
            let deleted = try connection.query(SQL.purgeBatch, [batchSize]).affectedRows
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    private func storedResponse(_ row: PGRow) throws -> HTTPResponse {
        let status = Int(try row.requiredInt("response_status"))
        guard let body = [UInt8](hex: try row.requiredString("response_body")) else {
            throw StoreError(.unexpectedResult, detail: "stored response body is not hex")
        }
        var headers = HTTPHeaders()
        if let text = try row.string("response_headers"),
            case .array(let pairs)? = try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8))
        {
            for pair in pairs {
                if case .array(let parts) = pair, parts.count == 2, let name = parts[0].stringValue,
                    let value = parts[1].stringValue
                {
                    headers.add(name, value)
                }
            }
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
