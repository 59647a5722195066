import Glibc

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
