import Glibc

/// Where a function reads its event from: standard input in production, bytes in tests.
package protocol ByteSource {
    /// Reads until `count` bytes or the end of input, whichever comes first.
    mutating func read(upTo count: Int) throws -> [UInt8]
}

/// The process's standard input.
package struct StandardInput: ByteSource {
    /// Reading standard input failed with `errno`.
    package struct ReadError: Error { package let errno: Int32 }

    package init() {}

    package mutating func read(upTo count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < count {
            let wanted = min(chunk.count, count - bytes.count)
            let got = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, wanted) }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            bytes += chunk[0..<got]
        }
        return bytes
    }
}

/// Bytes held in memory.
package struct BytesSource: ByteSource {
    private var remaining: ArraySlice<UInt8>

    package init(_ bytes: [UInt8]) { remaining = bytes[...] }

    package mutating func read(upTo count: Int) throws -> [UInt8] {
        let taken = remaining.prefix(count)
        remaining = remaining.dropFirst(taken.count)
        return Array(taken)
    }
}
