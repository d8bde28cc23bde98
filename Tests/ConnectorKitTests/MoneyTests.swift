@testable import ConnectorKit
import Foundation
import Testing

@Suite struct MoneyTests {
    @Test(arguments: ["0.10", "125.50", "1234567.8900001", "-42.05", "0"])
    func decimalStringsRoundTripExactly(_ text: String) throws {
        let usd = try CurrencyCode("usd")
        let money = try Money(parsing: text, currency: usd)
        let json = try JSONEncoder().encode(money)
        let decoded = try JSONDecoder().decode(Money.self, from: json)
        #expect(decoded == money)
        // The wire form keeps every digit the vendor sent (trailing zeros are not significant).
        #expect(decoded.amountString == Money.string(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!))
        #expect(String(decoding: json, as: UTF8.self).contains("\"\(decoded.amountString)\""))
    }

    @Test func longFractionIsNotRoundedThroughDouble() throws {
        let money = try Money(parsing: "1234567.8900001", currency: CurrencyCode("EUR"))
        #expect(money.amountString == "1234567.8900001")
        #expect(money.amount + (try Money.decimal(parsing: "0.0000001", field: "x")) == (try Money.decimal(parsing: "1234567.8900002", field: "x")))
    }

    @Test(arguments: ["12,50", "1e5", "abc", "", "12.", ".5"])
    func nonDecimalTextIsAValidationErrorNamingTheField(_ text: String) {
        #expect(throws: ConnectorError.self) { try Money(parsing: text, currency: CurrencyCode("USD"), field: "lines[0].amount") }
        do {
            _ = try Money(parsing: text, currency: CurrencyCode("USD"), field: "lines[0].amount")
        } catch let ConnectorError.validation(field, _) {
            #expect(field == "lines[0].amount")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func currencyCodesAreThreeLetters() throws {
        #expect(try CurrencyCode("usd").code == "USD")
        #expect(throws: ConnectorError.self) { try CurrencyCode("US") }
        #expect(throws: ConnectorError.self) { try CurrencyCode("U$D") }
    }

    @Test func roundingIsHalfAwayFromZero() throws {
        let usd = try CurrencyCode("USD")
        #expect(try Money(parsing: "2.345", currency: usd).rounded().amountString == "2.35")
        #expect(try Money(parsing: "-2.345", currency: usd).rounded().amountString == "-2.35")
        #expect(try Money(parsing: "2.344", currency: usd).rounded().amountString == "2.34")
    }
}

/// The amount grammar, read by a byte scan, must accept exactly what `-?[0-9]+(\.[0-9]+)?` does.
@Suite struct PlainDecimalGrammarTests {
    @Test func theScanAgreesWithTheGrammarOnEveryShortString() throws {
        let alphabet = ["0", "7", "-", ".", "+", "e", " ", "٣", "\u{0}"]
        var texts = [""]
        var frontier = [""]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += frontier
        }
        texts += ["125.50", "-0.01", "1.", ".5", "--1", "1.2.3", "١٢٣", "１２", "12345678901234567890.123456789"]
        let grammar = #/-?[0-9]+(\.[0-9]+)?/#
        let disagreements = texts.filter { Money.isPlainDecimal($0) != ($0.wholeMatch(of: grammar) != nil) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(texts.contains { Money.isPlainDecimal($0) } && texts.contains { !Money.isPlainDecimal($0) })
    }
}
