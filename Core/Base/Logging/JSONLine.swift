import Glibc
import Logging

/// Builds one JSON object line by hand, keeping keys in the order given.
package struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var needsComma = [false]

    /// A member to be written into lines later (`append(member:)`): `key` and one value, then
    /// `memberBytes`.
    static func member() -> JSONLine {
        var line = JSONLine()
        line.bytes = []
        return line
    }

    /// What a `member()` holds: `"key":value`.
    var memberBytes: [UInt8] { bytes }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func element() { separate() }

    mutating func openArray() {
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }
    mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }
    mutating func openObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }
    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func string(_ text: String) { Self.appendString(text, to: &bytes) }

    /// Appends a member rendered beforehand (`"key":value`, from `member(_:_:)`).
    mutating func append(member: [UInt8]) {
        separate()
        bytes += member
    }

    /// `"key":"value"` as bytes, to be appended later with `append(member:)`.
    static func member(_ key: String, _ value: String) -> [UInt8] {
        var member = member()
        member.field(key, value)
        return member.memberBytes
    }

    /// `text` as a JSON string, quoted and escaped; `/` and all non-ASCII text are left as they are.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
                case 0x0a: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0d: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0..<0x20:
                    bytes += Array("\\u00".utf8) + [ASCII.hexDigits[Int(byte >> 4)], ASCII.hexDigits[Int(byte & 0x0f)]]
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func finish() -> [UInt8] {
        bytes += [UInt8(ascii: "}"), 0x0a]
        return bytes
    }

    /// A flat object of strings, in the given order, without the trailing newline.
    package static func object<Fields: Sequence<(key: String, value: String)>>(_ fields: Fields) -> [UInt8] {
        var line = JSONLine()
        for (key, value) in fields { line.field(key, value) }
        return Array(line.finish().dropLast())
    }
}
