import Glibc

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
