import Core
import Testing

@Suite struct MoneyTests {
    @Test func yookassaStringsRoundTripExactly() throws {
        let money = try #require(Money(decimal: "599.00", currency: .rub))
        #expect(money.minorUnits == 59_900)
        #expect(money.decimalString == "599.00")
        #expect(Money(minorUnits: 59_900, currency: .rub).decimalString == "599.00")
        #expect(Money(minorUnits: 5, currency: .rub).decimalString == "0.05")
        #expect(Money(minorUnits: -150, currency: .rub).decimalString == "-1.50")
        #expect(Money(decimal: "0.10", currency: .rub)?.minorUnits == 10)
        #expect(Money(decimal: "10.5", currency: .rub)?.minorUnits == 1_050)
        #expect(Money(decimal: "7", currency: .rub)?.minorUnits == 700)
    }

    @Test func starsAreWholeUnits() {
        #expect(Money(decimal: "250", currency: .xtr)?.minorUnits == 250)
        #expect(Money(minorUnits: 250, currency: .xtr).decimalString == "250")
        #expect(Money(decimal: "250.0", currency: .xtr) == nil)
    }

    @Test func currencyExponents() throws {
        #expect(try #require(Currency("JPY")).exponent == 0)
        #expect(try #require(Currency("KWD")).exponent == 3)
        #expect(try #require(Currency("USD")).exponent == 2)
        #expect(Money(decimal: "1.005", currency: try #require(Currency("KWD")))?.minorUnits == 1_005)
        for bad in ["rub", "RU", "RUBL", "R1B", ""] { #expect(Currency(bad) == nil, "\(bad)") }
    }

    @Test(arguments: [
        "", "-1.00", "+1.00", "1.001", "1e3", " 1.00", "1.00 ", "1,00", "abc", "01.00", "1.", ".50", "1..0",
        "١٢٣", "99999999999999999999.00", "92233720368547758.08",
    ])
    func malformedAmountsAreRefused(_ text: String) {
        #expect(Money(decimal: text, currency: .rub) == nil)
    }

    @Test func largestAmountStillExact() {
        #expect(Money(decimal: "92233720368547758.07", currency: .rub)?.minorUnits == Int64.max)
    }
}
