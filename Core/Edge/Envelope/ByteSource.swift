import Glibc

/// Where a function reads its event from: standard input in production, bytes in tests.
package protocol ByteSource {
    /// Reads until `count` bytes or the end of input, whichever comes first.
    mutating func read(upTo count: Int) throws -> [UInt8]
}
