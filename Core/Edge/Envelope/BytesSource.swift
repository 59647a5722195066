import Glibc

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
