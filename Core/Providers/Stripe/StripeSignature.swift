import Base
import Glibc

/// Verifies `Stripe-Signature` exactly as Stripe's own libraries do: the signed payload is
/// `"{t}.{raw body}"`, HMAC-SHA256 keyed with the whole `whsec_…` secret, lower-case hex; any
/// `v1` signature may match any configured secret; `v0` is ignored; comparison is constant-time.
package struct StripeSignature: Sendable {
    /// Why a delivery was refused, with the wording Stripe's libraries use.
    package enum Failure: Error, Sendable, Equatable {
        case missingHeader
        case malformedHeader
        case noV1Signature
        case noMatch
        case timestampTooOld(ageSeconds: Int)
        case timestampInFuture(aheadSeconds: Int)

        package var reason: String {
            switch self {
            case .missingHeader: "No Stripe-Signature header"
            case .malformedHeader: "Unable to extract timestamp and signatures from header"
            case .noV1Signature: "No signatures found with expected scheme v1"
            case .noMatch: "No signatures found matching the expected signature for payload"
            case .timestampTooOld, .timestampInFuture: "Timestamp outside the tolerance zone"
            }
        }

        /// What an operator should check.
        package var hint: String {
            switch self {
            case .missingHeader, .malformedHeader, .noV1Signature:
                "the request did not come from Stripe, or a proxy changed its headers"
            case .noMatch:
                "check STRIPE_WEBHOOK_SECRET is this endpoint's signing secret, in the same mode (test/live), "
                    + "and that nothing between Stripe and the function changes the raw body"
            case .timestampTooOld, .timestampInFuture:
                "the delivery is a replay or the clocks differ; check the function's clock and STRIPE_WEBHOOK_TOLERANCE"
            }
        }

        /// A short machine name, stored with the event.
        package var code: String {
            switch self {
            case .missingHeader: "missing_header"
            case .malformedHeader: "malformed_header"
            case .noV1Signature: "no_v1_signature"
            case .noMatch: "no_match"
            case .timestampTooOld: "timestamp_too_old"
            case .timestampInFuture: "timestamp_in_future"
            }
        }
    }

    private let secrets: [[UInt8]]
    private let tolerance: Int

    /// - Parameters:
    ///   - secrets: every signing secret in force (more than one while a secret is rolled).
    ///   - toleranceSeconds: how far the signed time may be from now; 0 turns the check off.
    package init(secrets: [String], toleranceSeconds: Int) {
        self.secrets = secrets.map { Array($0.utf8) }
        self.tolerance = toleranceSeconds
    }

    /// How many secrets are tried, for log hints.
    package var secretCount: Int { secrets.count }

    /// Checks `header` against `body` at time `now` (Unix seconds); returns the signed timestamp.
    @discardableResult
    package func verify(header: String?, body: [UInt8], now: Int = Int(time(nil))) throws(Failure) -> Int {
        guard let header, !header.isEmpty else { throw .missingHeader }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: " ")
            let value = pair[1].trimmingCharacters(in: " ")
            if key == "t" {
                // Unix seconds: digits only, few enough that no difference with `now` overflows.
                timestamp = value.utf8.count <= 12 && value.utf8.allSatisfy(ASCII.isDigit) ? Int(value) : nil
            } else if key == "v1", value.utf8.count == 64, let bytes = [UInt8](hex: value) {
                signatures.append(bytes)
            }
        }
        guard let timestamp else { throw .malformedHeader }
        guard !signatures.isEmpty else { throw .noV1Signature }
        let payload = Array("\(timestamp).".utf8) + body
        let matched = secrets.contains { secret in
            let expected = Crypto.hmacSHA256(key: secret, data: payload)
            return signatures.contains { Crypto.constantTimeEquals($0, expected) }
        }
        guard matched else { throw .noMatch }
        if tolerance > 0 {
            if now - timestamp > tolerance { throw .timestampTooOld(ageSeconds: now - timestamp) }
            if timestamp - now > tolerance { throw .timestampInFuture(aheadSeconds: timestamp - now) }
        }
        return timestamp
    }

    /// The `Stripe-Signature` header Stripe would send for `body` at `timestamp`.
    package static func header(secret: String, timestamp: Int, body: [UInt8]) -> String {
        let mac = Crypto.hmacSHA256(key: Array(secret.utf8), data: Array("\(timestamp).".utf8) + body)
        return "t=\(timestamp),v1=\(mac.hexString)"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = self
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
