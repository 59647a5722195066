import Glibc

/// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (`::ffff:185.71.76.5`) is read as the
/// IPv4 address it carries, so allowlists match however the gateway wrote it.
package struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    package let bytes: [UInt8]

    /// Parses dotted IPv4 or any IPv6 text form; nil for anything else (never throws).
    package init?(_ text: String) {
        var text = text.trimmingSpaces
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: v6) { Array($0) }
        bytes = all[0..<10].allSatisfy { $0 == 0 } && all[10] == 0xff && all[11] == 0xff ? Array(all[12..<16]) : all
    }

    package var isIPv4: Bool { bytes.count == 4 }

    package var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

/// An address range in CIDR notation (`185.71.76.0/27`, `2a02:5180::/32`) or one address.
package struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    package let address: IPAddress
    package let prefixLength: Int

    /// Parses `address/prefix` or a lone address; nil when either part is malformed.
    package init?(_ text: String) {
        let parts = text.trimmingSpaces.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        // A mapped IPv6 prefix counts the 96 bits that were stripped.
        var prefix = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]) else { return nil }
            prefix = address.isIPv4 && String(parts[0]).contains(":") ? value - 96 : value
            guard (0...maximum).contains(prefix) else { return nil }
        }
        self.address = address
        self.prefixLength = prefix
    }

    /// True when `candidate` lies inside this range.
    package func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address.bytes[index] & mask != candidate.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    package var description: String { "\(address)/\(prefixLength)" }

    /// Parses a comma- or space-separated list; nil when any entry is malformed.
    package static func list(_ text: String) -> [IPNetwork]? {
        var networks: [IPNetwork] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }) where !entry.isEmpty {
            guard let network = IPNetwork(String(entry)) else { return nil }
            networks.append(network)
        }
        return networks
    }
}

extension Array where Element == IPNetwork {
    /// True when any range holds `address`.
    package func contains(_ address: IPAddress) -> Bool { contains { $0.contains(address) } }
}
