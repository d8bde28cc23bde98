import Foundation

/// A value bound to, or read from, a SQL statement: the few types both backends share.
///
/// Times are stored as milliseconds since 1970 UTC in integer columns, so both databases
/// compare and order them the same way and no time zone ever enters storage.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])

    /// A text value, or null.
    static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// An integer value, or null.
    static func int(_ value: Int?) -> SQLValue { value.map { .int(Int64($0)) } ?? .null }
    /// A time as UTC milliseconds, or null.
    static func time(_ value: Date?) -> SQLValue {
        // Saturating: a date beyond what an Int64 of milliseconds holds (one read from outside)
        // must not trap on its way to a column.
        value.map { .int(Int64(exactly: ($0.timeIntervalSince1970 * 1000).rounded().clamped(to: -9.2e18...9.2e18)) ?? 0) } ?? .null
    }
}

/// One result row, by column name.
public struct SQLRow: Sendable {
    /// Column values by lower-case name.
    public var values: [String: SQLValue]

    /// Creates a row.
    public init(values: [String: SQLValue]) { self.values = values }

    /// A text column; an absent or null value is a store error naming the column.
    func string(_ column: String) throws -> String {
        guard let value = optionalString(column) else { throw StoreError.corrupt("column \(column) is null") }
        return value
    }

    /// A nullable text column.
    func optionalString(_ column: String) -> String? {
        switch values[column] {
        case .text(let text): text
        case .int(let number): String(number)
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null, .none: nil
        }
    }

    /// An integer column.
    func int(_ column: String) throws -> Int64 {
        guard let value = optionalInt(column) else { throw StoreError.corrupt("column \(column) is not an integer") }
        return value
    }

    /// A nullable integer column.
    func optionalInt(_ column: String) -> Int64? {
        switch values[column] {
        case .int(let number): number
        case .text(let text): Int64(text)
        default: nil
        }
    }

    /// A time column stored as UTC milliseconds.
    func time(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: Double(try int(column)) / 1000)
    }

    /// A nullable time column.
    func optionalTime(_ column: String) -> Date? {
        optionalInt(column).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// A column holding JSON text, decoded.
    func json<Value: Decodable>(_ column: String, as type: Value.Type) throws -> Value {
        try JSONDecoder.store.decode(type, from: Data(try string(column).utf8))
    }
}

extension JSONEncoder {
    /// The encoder for JSON columns: sorted keys (stable hashes), times as UTC milliseconds.
    static let store: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()
}

extension JSONDecoder {
    /// The decoder for JSON columns.
    static let store: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}

/// JSON text of a value, for a JSON column.
func jsonText<Value: Encodable>(_ value: Value) throws -> String {
    String(decoding: try JSONEncoder.store.encode(value), as: UTF8.self)
}

extension Double {
    /// This value within `range`; NaN stays NaN.
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
