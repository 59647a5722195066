import FoundationEssentials

/// Removes secrets, signatures, tokens and card data from everything that is logged.
///
/// Three layers: metadata keys that name something sensitive lose their value whole; the
/// configured secret values are cut out of any text, whatever their length, in any letter case,
/// percent-encoded and base64-encoded (at any alignment inside a longer base64 run, as in a
/// `Basic` header); and text is scanned for the shapes secrets take anyway (Stripe keys and
/// webhook secrets, Telegram bot tokens, `Basic`/`Bearer` credentials, and card numbers that pass
/// the Luhn check, grouped by spaces, dashes, dots or slashes, or inside a longer run of digits).
package struct Redactor: Sendable {
    /// What stands in place of a removed value.
    package static let mask = "[REDACTED]"

    /// The configured secrets' forms, lowercased and longest first, filed under their first byte:
    /// the scan looks at the forms that can start where it stands, not at every one.
    private let secretsByFirstByte: [[[UInt8]]]

    /// A redactor that also removes each of `secrets` and its encoded forms.
    package init(secrets: [String] = []) {
        var forms: Set<[UInt8]> = []
        for secret in secrets where !secret.isEmpty {
            let bytes = Array(secret.utf8)
            forms.insert(bytes)
            forms.insert(Array(PercentEncoding.component(secret).utf8))
            for form in Self.base64Forms(bytes) { forms.insert(form) }
        }
        var byFirstByte = [[[UInt8]]](repeating: [], count: 256)
        for form in forms.map({ $0.map(ASCII.lowercased) }).sorted(by: { $0.count > $1.count }) {
            byFirstByte[Int(form[0])].append(form)
        }
        secretsByFirstByte = byFirstByte
        shortestMasked = min(forms.map(\.count).min() ?? .max, Self.shortestShape)
    }

    /// The fewest bytes a text must have for `scrub` to mask anything in it.
    private let shortestMasked: Int
    /// The shortest secret shape: `Basic ` and four token characters (a card has 13 digits, a
    /// token prefix is at least 6 bytes, a bot token over 36).
    private static let shortestShape = 10

    /// The runs of base64 text that stand for `secret` wherever it sits in an encoded stream: for
    /// each of the three alignments, the characters that depend on the secret's bytes alone, in
    /// the standard and the URL-safe alphabet. Runs under 8 characters would mask too much else.
    private static func base64Forms(_ secret: [UInt8]) -> [[UInt8]] {
        var forms: [[UInt8]] = []
        for offset in 0..<3 {
            let encoded = Array(Data([UInt8](repeating: 0, count: offset) + secret).base64EncodedString().utf8)
            let start = offset == 0 ? 0 : 4
            let end = (offset + secret.count) / 3 * 4
            guard end - start >= 8 else { continue }
            let run = Array(encoded[start..<end])
            forms.append(run)
            forms.append(
                run.map {
                    $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
                })
        }
        return forms
    }

    /// True for a metadata key whose value is always hidden, e.g. `stripe-signature` or `card`.
    /// Runs for every metadata key a line sets, so it compares ASCII bytes in place.
    package static func isSensitiveKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            func matches(_ part: [UInt8], at start: Int) -> Bool {
                part.indices.allSatisfy { ASCII.lowercased(bytes[start + $0]) == part[$0] }
            }
            if bytes.count == 3, matches(pan, at: 0) { return true }
            if bytes.count == 6, matches(number, at: 0) { return true }
            return sensitiveKeyParts.contains { part in
                part.count <= bytes.count && (0...(bytes.count - part.count)).contains { matches(part, at: $0) }
            }
        }
    }

    private static let pan = Array("pan".utf8)
    private static let number = Array("number".utf8)
    private static let sensitiveKeyParts = [
        "secret", "password", "passwd", "token", "signature", "authorization", "cookie", "api_key", "apikey",
        "card", "cvv", "cvc", "csc", "expiry", "expiration", "credential",
    ].map { Array($0.utf8) }

    /// `text` with every secret and secret-shaped run replaced by the mask.
    package func scrub(_ text: String) -> String {
        // Shorter than anything masked (a token's prefix and 4 characters, 13 card digits, the
        // shortest configured form): nothing to scan for.
        guard text.utf8.count >= shortestMasked else { return text }
        var text = text
        let scrubbed = text.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            var copied = 0
            var index = 0
            while index < bytes.count {
                if let end = Self.uuidEnd(bytes, at: index) {
                    index = end
                } else if let end = secretEnd(bytes, at: index) ?? Self.tokenEnd(bytes, at: index)
                    ?? Self.botTokenEnd(bytes, at: index) ?? Self.cardNumberEnd(bytes, at: index)
                {
                    out += bytes[copied..<index]
                    out += Self.maskBytes
                    index = end
                    copied = end
                } else {
                    index += 1
                }
            }
            guard copied > 0 else { return nil }
            out += bytes[copied...]
            return String(decoding: out, as: UTF8.self)
        }
        // Nothing masked: the text as it came, without a copy.
        return scrubbed ?? text
    }

    /// The bytes `scrub` reads: the text's own UTF-8 storage.
    private typealias Bytes = UnsafeBufferPointer<UInt8>

    /// A configured secret, in any letter case, starting at `index` (the longest first).
    private func secretEnd(_ bytes: Bytes, at index: Int) -> Int? {
        search: for secret in secretsByFirstByte[Int(ASCII.lowercased(bytes[index]))]
        where bytes.count - index >= secret.count {
            for offset in 1..<secret.count where ASCII.lowercased(bytes[index + offset]) != secret[offset] {
                continue search
            }
            return index + secret.count
        }
        return nil
    }

    /// A UUID (8-4-4-4-12 hex digits) starting at `index`: an id, passed through whole so its
    /// digit groups are never taken for a card number.
    private static func uuidEnd(_ bytes: Bytes, at index: Int) -> Int? {
        guard bytes.count - index >= 36, startsWord(bytes, index),
            index + 36 == bytes.count || !isTokenByte(bytes[index + 36])
        else { return nil }
        for offset in 0..<36 {
            let byte = bytes[index + offset]
            let fits =
                [8, 13, 18, 23].contains(offset)
                ? byte == UInt8(ascii: "-") : ASCII.isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
            if !fits { return nil }
        }
        return index + 36
    }

    private static let maskBytes = Array(mask.utf8)
    private static let tokenPrefixes = ["whsec_", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "Basic ", "Bearer "]
        .map { Array($0.utf8) }

    private static let isTokenByte = ASCII.isToken
    private static let isDigit = ASCII.isDigit

    private static func startsWord(_ bytes: Bytes, _ index: Int) -> Bool {
        index == 0 || !isTokenByte(bytes[index - 1])
    }

    /// `whsec_…`, `sk_live_…`, `Bearer …` and the like: the prefix and the token after it.
    private static func tokenEnd(_ bytes: Bytes, at index: Int) -> Int? {
        guard startsWord(bytes, index) else { return nil }
        for prefix in tokenPrefixes
        where bytes.count - index > prefix.count
            && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
        {
            var end = index + prefix.count
            while end < bytes.count,
                isTokenByte(bytes[end]) || bytes[end] == UInt8(ascii: "=")
                    || bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "/")
                    || bytes[end] == UInt8(ascii: ".")
            { end += 1 }
            if end - index - prefix.count >= 4 { return end }
        }
        return nil
    }

    /// A Telegram bot token: a numeric bot id, a colon, and at least 30 token characters.
    private static func botTokenEnd(_ bytes: Bytes, at index: Int) -> Int? {
        guard startsWord(bytes, index), isDigit(bytes[index]) else { return nil }
        var colon = index
        while colon < bytes.count, isDigit(bytes[colon]) { colon += 1 }
        guard colon - index >= 5, colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { return nil }
        var end = colon + 1
        while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
        return end - colon - 1 >= 30 ? end : nil
    }

    /// A card number: a run of digits, grouped by up to two spaces, dashes, dots or slashes at a
    /// time, in which some 13 to 19 consecutive digits pass the Luhn check; the whole run is
    /// masked. Runs are read up to 64 digits, so the scan stays linear.
    private static func cardNumberEnd(_ bytes: Bytes, at index: Int) -> Int? {
        guard isDigit(bytes[index]), index == 0 || !isDigit(bytes[index - 1]) else { return nil }
        // The run's digits, read once to count them (most runs are too short to be a card) and
        // once more to collect them.
        func run(_ visit: (UInt8) -> Void) -> (digits: Int, end: Int) {
            var (count, end, lastDigitEnd) = (0, index, index)
            while end < bytes.count, count < 64 {
                if isDigit(bytes[end]) {
                    visit(bytes[end] - UInt8(ascii: "0"))
                    count += 1
                    end += 1
                    lastDigitEnd = end
                    continue
                }
                var gap = end
                while gap < bytes.count, gap - end < 2, isCardSeparator(bytes[gap]) { gap += 1 }
                guard gap > end, gap < bytes.count, isDigit(bytes[gap]) else { break }
                end = gap
            }
            return (count, lastDigitEnd)
        }
        guard run({ _ in }).digits >= 13 else { return nil }
        var digits: [UInt8] = []
        let end = run { digits.append($0) }.end
        for length in 13...min(19, digits.count) {
            for start in 0...(digits.count - length) where luhn(digits[start..<(start + length)]) {
                return end
            }
        }
        return nil
    }

    private static func isCardSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
    }

    private static func luhn(_ digits: ArraySlice<UInt8>) -> Bool {
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
