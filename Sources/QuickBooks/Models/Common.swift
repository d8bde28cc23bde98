import ConnectorKit
import Foundation

// Wire models keep the XSD element names (`DisplayName`, `SyncToken`): the JSON names are
// the element names of ../shared/specs/quickbooks (api digest 1.3).

/// A reference to another entity: `{"value": "<Id>", "name": "…"}` (XSD `ReferenceType`).
public struct ReferenceType: Codable, Sendable, Equatable {
    /// The referenced entity's `Id`.
    public var value: String
    /// Its display name, when QuickBooks sends one.
    public var name: String?
    /// Its type, for references that may name several (`Entity.EntityRef`).
    public var type: String?

    /// A reference to `value`.
    public init(_ value: String, name: String? = nil) {
        self.value = value
        self.name = name
    }
}

/// When an entity was created and last changed (XSD `ModificationMetaData`).
public struct ModificationMetaData: Codable, Sendable, Equatable {
    /// The creation time with its UTC offset, as sent.
    public var CreateTime: String?
    /// The last change, as sent.
    public var LastUpdatedTime: String?

    /// The last change as an instant.
    public var lastUpdated: Date? { LastUpdatedTime.flatMap(QuickBooksTime.parse) }
}

/// An email address (XSD `EmailAddress`).
public struct EmailAddress: Codable, Sendable, Equatable {
    /// The address.
    public var Address: String?

    /// An address.
    public init(Address: String?) {
        self.Address = Address
    }
}

/// A phone number (XSD `TelephoneNumber`).
public struct TelephoneNumber: Codable, Sendable, Equatable {
    /// The number as the user typed it.
    public var FreeFormNumber: String?
}

/// QuickBooks times: ISO 8601 with a UTC offset, sometimes with fractions (api digest 1.3, 1.7).
public enum QuickBooksTime {
    /// The instant a QuickBooks time names; nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.vendorDate(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.vendorDate(from: text) { return date }
        // CloudEvents send nanoseconds (api digest 1.7): keep milliseconds.
        guard let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) else { return nil }
        let digits = text[text.index(after: dot)..<end]
        return fractional.vendorDate(from: String(text[..<dot]) + "." + digits.prefix(3) + text[end...])
    }

    /// A UTC time as QuickBooks queries and CDC take it (`2026-04-01T00:00:00Z`).
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

extension Optional where Wrapped == ReferenceType {
    /// The currency a `CurrencyRef` names, or the given home currency.
    func currency(home: String = "USD") throws -> CurrencyCode {
        try CurrencyCode(self?.value ?? home)
    }
}
