/// The bytes of FastCGI 1.0: record headers, END_REQUEST bodies and name–value pairs.
enum FastCGIRecord {
    enum Kind: UInt8 {
        case beginRequest = 1, abortRequest = 2, endRequest = 3, params = 4, stdin = 5, stdout = 6, getValues = 9,
            getValuesResult = 10, unknownType = 11
    }

    /// END_REQUEST's protocolStatus.
    enum ProtocolStatus: UInt8 {
        case requestComplete = 0, cantMultiplexConnection = 1, unknownRole = 3
    }

    /// The header is 8 bytes: version, type, request id, content length, padding length, reserved.
    static let headerLength = 8

    /// The most content one record carries.
    static let maximumContent = 65_535

    /// One record; `content` must fit in one (`maximumContent` bytes).
    static func encode(_ kind: Kind, id: UInt16, content: some Collection<UInt8>) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [
            1, kind.rawValue, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff),
            UInt8(padding), 0,
        ]
            + content + [UInt8](repeating: 0, count: padding)
    }

    /// `bytes` as a stream of `kind`: as many records as it takes, then the empty one that ends it.
    static func stream(_ kind: Kind, id: UInt16, _ bytes: [UInt8]) -> [UInt8] {
        var records: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: maximumContent) {
            records += encode(kind, id: id, content: bytes[start..<min(bytes.count, start + maximumContent)])
        }
        return records + encode(kind, id: id, content: [])
    }

    static func endRequest(id: UInt16, _ status: ProtocolStatus) -> [UInt8] {
        encode(.endRequest, id: id, content: [0, 0, 0, 0, status.rawValue, 0, 0, 0])
    }

    /// Name–value pairs: each length is one byte, or four with the top bit set. Decoding stops at
    /// the first pair that does not fit.
    static func decodeParams(_ bytes: [UInt8]) -> [String: String] {
        var params: [String: String] = [:]
        var index = 0
        func length() -> Int? {
            guard index < bytes.count else { return nil }
            if bytes[index] & 0x80 == 0 {
                index += 1
                return Int(bytes[index - 1])
            }
            guard index + 4 <= bytes.count else { return nil }
            let value =
                Int(bytes[index] & 0x7f) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            index += 4
            return value
        }
        while let nameLength = length(), let valueLength = length(), nameLength + valueLength <= bytes.count - index {
            let name = String(decoding: bytes[index..<(index + nameLength)], as: UTF8.self)
            params[name] = String(
                decoding: bytes[(index + nameLength)..<(index + nameLength + valueLength)], as: UTF8.self)
            index += nameLength + valueLength
        }
        return params
    }

    static func encodeParams(_ params: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            for length in [name.utf8.count, value.utf8.count] {
                bytes +=
                    length < 128
                    ? [UInt8(length)]
                    : [
                        UInt8(length >> 24 | 0x80), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff),
                        UInt8(length & 0xff),
                    ]
            }
            bytes += Array(name.utf8) + Array(value.utf8)
        }
        return bytes
    }
}
