import ConnectorKit
import Foundation

/// How FreshBooks writes values on the wire, read and written exactly.
public enum FreshBooksWire {
    /// `yyyy-MM-dd HH:mm:ss` in US/Eastern with no offset: accounting `updated`, `created_at`
    /// (api digest A9.4). DST is the formatter's business, not ours.
    public static func parseEastern(_ text: String) -> Date? {
        eastern.date(from: text)
    }

    /// Formats an instant as US/Eastern wall time.
    public static func formatEastern(_ date: Date) -> String {
        eastern.string(from: date)
    }

    /// The US/Eastern calendar day of an instant (`search[updated_min]` is a day, digest A5).
    public static func easternDay(_ date: Date) -> String {
        String(formatEastern(date).prefix(10))
    }

    /// ISO 8601 UTC, with or without `Z` and fraction (project-like APIs).
    public static func parseUTC(_ text: String) -> Date? {
        for formatter in utcFormats {
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `yyyy-MM-dd` in UTC.
    public static func day(_ date: Date) -> String {
        utcDay.string(from: date)
    }

    private static let eastern = SharedDateFormatter(format: "yyyy-MM-dd HH:mm:ss", timeZone: TimeZone(identifier: "America/New_York")!)
    private static let utc = TimeZone(identifier: "UTC")!
    private static let utcFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "yyyy-MM-dd HH:mm:ss"]
        .map { SharedDateFormatter(format: $0, timeZone: utc) }
    private static let utcDay = SharedDateFormatter(format: "yyyy-MM-dd", timeZone: utc)
}

/// A FreshBooks money object, `{"amount": "125.50", "code": "USD"}`, exact both ways.
public struct MoneyObject: Codable, Sendable, Equatable {
    /// The amount.
    public var amount: Decimal
    /// The ISO currency code (some responses leave it out).
    public var code: String?

    /// Creates a money object.
    public init(amount: Decimal, code: String?) {
        self.amount = amount
        self.code = code
    }

    /// From ConnectorKit money.
    public init(_ money: Money) {
        self.init(amount: money.amount, code: money.currency.code)
    }

    /// As ConnectorKit money (`fallbackCurrency` when the object names none).
    public func money(fallbackCurrency: String = "USD") throws -> Money {
        Money(amount, try CurrencyCode(code ?? fallbackCurrency))
    }

    enum CodingKeys: String, CodingKey { case amount, code }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amount = try FlexibleDecimal.decode(container, .amount)
        code = try container.decodeIfPresent(String.self, forKey: .code)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Money.string(amount), forKey: .amount)
        try container.encodeIfPresent(code, forKey: .code)
    }
}

/// Decimals that arrive as strings (usual) or numbers (some fields), never through Double.
enum FlexibleDecimal {
    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Decimal {
        if let text = try? container.decode(String.self, forKey: key) {
            return try Money.decimal(parsing: text, field: key.stringValue)
        }
        return try container.decode(Decimal.self, forKey: key)
    }

    static func decodeIfPresent<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Decimal? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        return try decode(container, key)
    }
}

/// A timestamp field in US/Eastern wall time, decoded to an instant.
enum EasternTimestamp {
    static func decodeIfPresent<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key), !text.isEmpty else { return nil }
        guard let date = FreshBooksWire.parseEastern(text) ?? FreshBooksWire.parseUTC(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(text)' is not yyyy-MM-dd HH:mm:ss")
        }
        return date
    }
}
