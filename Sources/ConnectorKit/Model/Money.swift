import Foundation

/// An ISO 4217 currency code (`USD`, `EUR`).
public struct CurrencyCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The three upper-case letters.
    public let code: String

    /// Accepts three ASCII letters in any case; anything else is a validation error.
    public init(_ code: String) throws {
        let upper = code.uppercased()
        guard upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ConnectorError.validation(field: "currency", message: "'\(code)' is not an ISO 4217 code such as USD or EUR")
        }
        self.code = upper
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// An amount of money: a `Decimal` and its currency, never a binary floating point number.
///
/// On the wire it is a decimal string (`"125.50"`), parsed and printed exactly.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The exact amount.
    public var amount: Decimal
    /// The currency of the amount.
    public var currency: CurrencyCode

    /// Creates an amount of money.
    public init(_ amount: Decimal, _ currency: CurrencyCode) {
        self.amount = amount
        self.currency = currency
    }

    /// Parses a decimal string exactly (`"1234567.8900001"`), refusing anything that is not one.
    public init(parsing text: String, currency: CurrencyCode, field: String = "amount") throws {
        self.init(try Money.decimal(parsing: text, field: field), currency)
    }

    /// The amount as a plain decimal string with no grouping and no exponent.
    public var amountString: String { Money.string(amount) }

    public var description: String { "\(amountString) \(currency)" }

    /// The amount rounded to `scale` fraction digits, half away from zero (banker's rounding is
    /// not what invoices use).
    public func rounded(scale: Int = 2) -> Money {
        var value = amount
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return Money(result, currency)
    }

    /// Parses a decimal string exactly; a validation error names `field` otherwise.
    public static func decimal(parsing text: String, field: String) throws -> Decimal {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard isPlainDecimal(trimmed), let value = Decimal(string: trimmed, locale: posix) else {
            throw ConnectorError.validation(field: field, message: "'\(text)' is not a decimal amount such as 125.50")
        }
        return value
    }

    /// Prints a decimal without grouping or exponent, in the POSIX locale.
    public static func string(_ value: Decimal) -> String {
        var copy = value
        return NSDecimalString(&copy, posix)
    }

    /// The locale amounts are read and written in, made once.
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// True for `-?[0-9]+(.[0-9]+)?` and nothing else: ASCII digits, an optional minus, at most
    /// one point with digits on both sides. (A regex said the same at a tenth of the speed, on
    /// every amount of every listed invoice.)
    static func isPlainDecimal(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let whole = bytes.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        bytes = bytes.dropFirst(whole.count)
        guard let point = bytes.first else { return true }
        let fraction = bytes.dropFirst()
        return point == UInt8(ascii: ".") && !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }

    private enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let currency = try container.decode(CurrencyCode.self, forKey: .currency)
        try self.init(parsing: try container.decode(String.self, forKey: .amount), currency: currency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(amountString, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}
