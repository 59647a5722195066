import Base

/// An amount as JSON carries it to people and providers: `{"value":"599.00","currency":"RUB"}`,
/// the value a decimal string in the currency's major units (YooKassa's wire format, and every
/// answer of this project's read side).
package struct AmountBody: Codable, Sendable, Equatable {
    package let value: String
    package let currency: String

    package init(_ money: Money) {
        value = money.decimalString
        currency = money.currency.code
    }

    /// The same, as a JSON value: for answers written without an encoder.
    package var json: JSONValue { ["value": .string(value), "currency": .string(currency)] }

    /// The exact amount, or nil for a malformed value or currency.
    package var money: Money? { Currency(currency).flatMap { Money(decimal: value, currency: $0) } }
}
