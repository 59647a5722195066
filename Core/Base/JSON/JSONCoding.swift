import FoundationEssentials

/// The one JSON configuration used for every answer, stored payload and event file.
package enum JSONCoding {
    /// Encodes with sorted keys and unescaped slashes, so equal values give equal bytes.
    package static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Decodes `Value` from UTF-8 JSON bytes.
    package static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
