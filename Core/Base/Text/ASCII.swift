/// Byte classes of ASCII text, the one set every parser and check in the project uses.
package enum ASCII {
    /// `0`–`9`.
    package static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `A`–`Z`, `a`–`z`.
    package static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a }

    /// Letters and digits.
    package static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }

    /// Letters, digits, `_` and `-`: ids, tokens and Telegram's secret alphabet.
    package static func isToken(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == 0x5f || byte == 0x2d }

    /// The base64 alphabets (standard and URL-safe) with padding.
    package static func isBase64(_ byte: UInt8) -> Bool {
        isToken(byte) || byte == 0x2b || byte == 0x2f || byte == 0x3d
    }

    /// RFC 3986 unreserved: letters, digits, `-`, `.`, `_`, `~`.
    package static func isUnreserved(_ byte: UInt8) -> Bool { isToken(byte) || byte == 0x2e || byte == 0x7e }

    /// JSON's white space: space, tab, line feed, carriage return.
    package static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }

    /// `byte` lower-cased when it is an upper-case letter.
    /// The lower-case hexadecimal digits, `0`–`9` then `a`–`f`.
    package static let hexDigits = Array("0123456789abcdef".utf8)

    package static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte }
}
