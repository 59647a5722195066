/// Removes secrets, signatures, tokens and card data from everything that is logged.
///
/// Three layers: metadata keys that name something sensitive lose their value whole; the
/// configured secret values are cut out of any text; and text is scanned for the shapes secrets
/// take anyway (Stripe keys and webhook secrets, Telegram bot tokens, `Basic`/`Bearer`
/// credentials, card numbers that pass the Luhn check).
public struct Redactor: Sendable {
    /// What stands in place of a removed value.
    public static let mask = "[REDACTED]"

    private let secrets: [[UInt8]]

    /// A redactor that also removes each of `secrets` (values shorter than 4 bytes are ignored).
    public init(secrets: [String] = []) {
        self.secrets = Set(secrets.filter { $0.utf8.count >= 4 }).map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// True for a metadata key whose value is always hidden, e.g. `stripe-signature` or `card`.
    /// Runs for every metadata key of every log line, so it compares ASCII bytes directly.
    public static func isSensitiveKey(_ key: String) -> Bool {
        let lowered = key.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }
        if lowered.elementsEqual("pan".utf8) || lowered.elementsEqual("number".utf8) { return true }
        return sensitiveKeyParts.contains { part in
            guard part.count <= lowered.count else { return false }
            return (0...(lowered.count - part.count)).contains { start in
                lowered[start] == part[0] && lowered[start..<(start + part.count)].elementsEqual(part)
            }
        }
    }

    private static let sensitiveKeyParts = [
        "secret", "password", "passwd", "token", "signature", "authorization", "cookie", "api_key", "apikey",
        "card", "cvv", "cvc", "csc", "expiry", "expiration", "credential",
    ].map { Array($0.utf8) }

    /// `text` with every secret and secret-shaped run replaced by the mask.
    public func scrub(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if let end = secretEnd(bytes, at: index) ?? Self.tokenEnd(bytes, at: index) ?? Self.botTokenEnd(bytes, at: index)
                ?? Self.cardNumberEnd(bytes, at: index)
            {
                out += Self.maskBytes
                index = end
                changed = true
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// A configured secret starting at `index` (the longest first).
    private func secretEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        for secret in secrets where bytes[index] == secret[0] && bytes.count - index >= secret.count
            && bytes[index..<(index + secret.count)].elementsEqual(secret)
        {
            return index + secret.count
        }
        return nil
    }

    private static let maskBytes = Array(mask.utf8)
    private static let tokenPrefixes = ["whsec_", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "Basic ", "Bearer "]
        .map { Array($0.utf8) }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func startsWord(_ bytes: [UInt8], _ index: Int) -> Bool { index == 0 || !isTokenByte(bytes[index - 1]) }

    /// `whsec_…`, `sk_live_…`, `Bearer …` and the like: the prefix and the token after it.
    private static func tokenEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        guard startsWord(bytes, index) else { return nil }
        for prefix in tokenPrefixes where bytes.count - index > prefix.count
            && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
        {
            var end = index + prefix.count
            while end < bytes.count, isTokenByte(bytes[end]) || bytes[end] == UInt8(ascii: "=")
                || bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "/") || bytes[end] == UInt8(ascii: ".")
            { end += 1 }
            if end - index - prefix.count >= 4 { return end }
        }
        return nil
    }

    /// A Telegram bot token: a numeric bot id, a colon, and at least 30 token characters.
    private static func botTokenEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        guard startsWord(bytes, index), isDigit(bytes[index]) else { return nil }
        var colon = index
        while colon < bytes.count, isDigit(bytes[colon]) { colon += 1 }
        guard colon - index >= 5, colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { return nil }
        var end = colon + 1
        while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
        return end - colon - 1 >= 30 ? end : nil
    }

    /// 13 to 19 digits, optionally grouped by single spaces or dashes, that pass the Luhn check.
    private static func cardNumberEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        guard isDigit(bytes[index]), index == 0 || !isDigit(bytes[index - 1]) else { return nil }
        var digits: [UInt8] = []
        var end = index
        var lastDigitEnd = index
        while end < bytes.count, digits.count < 20 {
            if isDigit(bytes[end]) {
                digits.append(bytes[end] - UInt8(ascii: "0"))
                end += 1
                lastDigitEnd = end
            } else if (bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "-")),
                      end + 1 < bytes.count, isDigit(bytes[end + 1]), end > index, isDigit(bytes[end - 1]) {
                end += 1
            } else {
                break
            }
        }
        guard (13...19).contains(digits.count), luhn(digits) else { return nil }
        return lastDigitEnd
    }

    private static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if offset % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }
}
