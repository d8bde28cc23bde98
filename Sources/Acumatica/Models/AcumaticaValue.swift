import ConnectorKit
import Foundation

/// One general field as Acumatica wraps it, `{"value": x}`, with the `error` a refused save
/// puts under the field (api digest 2.3; swagger `StringValue{value,error}`).
public struct AcumaticaValue<Wrapped: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// The value; nil (or absent) on a PUT means "leave unchanged" (digest 2.10 #3).
    public var value: Wrapped?
    /// Why a save refused this field (422 answers only).
    public var error: String?

    /// Wraps a value.
    public init(_ value: Wrapped?, error: String? = nil) {
        self.value = value
        self.error = error
    }

    /// Leaves `error` out of requests; a null value is sent as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encodeIfPresent(error, forKey: .error)
    }
}

/// `StringValue`.
public typealias StringValue = AcumaticaValue<String>
/// `DecimalValue`: a JSON number, read as `Decimal`, never `Double` (digest 2.3).
public typealias DecimalValue = AcumaticaValue<Decimal>
/// `BooleanValue`.
public typealias BooleanValue = AcumaticaValue<Bool>
/// `IntValue`.
public typealias IntValue = AcumaticaValue<Int>
/// `DateTimeValue`: ISO text as the instance wrote it; read it with `AcumaticaDate.parse`.
public typealias DateTimeValue = AcumaticaValue<String>

/// Dates as Acumatica writes them, read exactly and kept in UTC.
public enum AcumaticaDate {
    /// Reads `2026-04-01T10:31:28.402+03:00`, `2026-04-01T10:31:28Z` or, with no offset (the
    /// instance's own time, as push rows and some fields are written), as `instanceZone`.
    public static func parse(_ text: String, instanceZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        let withOffset = ISO8601DateFormatter()
        withOffset.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withOffset.vendorDate(from: text) { return date }
        withOffset.formatOptions = [.withInternetDateTime]
        if let date = withOffset.vendorDate(from: text) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = instanceZone
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss.SS", "yyyy-MM-dd'T'HH:mm:ss.S", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let date = local.vendorDate(from: text) { return date }
        }
        return nil
    }

    /// `yyyy-MM-ddTHH:mm:ss.fffK` in UTC, the form `$filter`'s `datetimeoffset'…'` takes (digest 2.4).
    public static func filterLiteral(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"
        return "datetimeoffset'\(formatter.string(from: date))'"
    }
}
