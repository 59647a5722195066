/// An ISO 4217 currency code (or Telegram's `XTR`) with the number of its minor-unit digits.
package struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    package let code: String
    /// Digits after the decimal point: 2 for RUB, 0 for XTR and JPY, 3 for KWD.
    package let exponent: Int

    /// A currency from its three upper-case letters; nil for anything else.
    package init?(_ code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return nil
        }
        self.code = code
        self.exponent = Self.zeroDecimal.contains(code) ? 0 : Self.threeDecimal.contains(code) ? 3 : 2
    }

    package static let rub = Currency("RUB")!
    /// Telegram Stars: whole units only.
    package static let xtr = Currency("XTR")!

    package var description: String { code }

    package init(from decoder: Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let currency = Currency(code) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a currency code"))
        }
        self = currency
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    private static let zeroDecimal: Set<String> = [
        "XTR", "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ]
    private static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
}
