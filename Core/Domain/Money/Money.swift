import Base

/// An exact amount: an integer count of minor units and its currency. Never floating point.
package struct Money: Sendable, Hashable, CustomStringConvertible {
    package let minorUnits: Int64
    package let currency: Currency

    package init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a decimal string such as `"599.00"` exactly.
    ///
    /// Accepted: digits with no sign, no exponent, no grouping and no leading zero (but `0`), then
    /// optionally a point and one to `exponent` digits. Anything else, or an overflow, is nil.
    package init?(decimal text: String, currency: Currency) {
        let bytes = Array(text.utf8)
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(point ?? bytes.endIndex)]
        let fraction = point.map { bytes[($0 + 1)...] } ?? []
        guard !whole.isEmpty, whole.allSatisfy(ASCII.isDigit), whole.count == 1 || whole.first != UInt8(ascii: "0"),
            fraction.allSatisfy(ASCII.isDigit), fraction.count <= currency.exponent,
            point == nil || !fraction.isEmpty
        else { return nil }
        var value: Int64 = 0
        for digit in whole + fraction + Array(repeating: UInt8(ascii: "0"), count: currency.exponent - fraction.count) {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        self.init(minorUnits: value, currency: currency)
    }

    /// The amount as a decimal string with exactly `exponent` digits after the point, e.g. `"599.00"`.
    package var decimalString: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        guard currency.exponent > 0 else { return sign + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<currency.exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        return sign + String(magnitude / divisor) + "."
            + String(repeating: "0", count: currency.exponent - fraction.count) + fraction
    }

    package var description: String { "\(decimalString) \(currency.code)" }

}
