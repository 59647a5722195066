import Glibc
import Logging

/// Builds one JSON object line by hand, keeping keys in the order given.
package struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var needsComma = [false]

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

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0a: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            default: bytes.append(byte)
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
