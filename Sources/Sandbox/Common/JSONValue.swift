import Foundation

/// JSON as the sandboxes keep it: a plain tree, independent of any client's models, so that a
/// client's misunderstanding of a vendor is never mirrored by the emulator that tests it.
/// Numbers keep their text, so a decimal the vendor sends as a number is not rounded.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Serialises with sorted keys.
    public func serialized() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Decimal.self) {
            var copy = value
            self = .number(NSDecimalString(&copy, Locale(identifier: "en_US_POSIX")))
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let text):
            if let integer = Int64(text) { try container.encode(integer) } else { try container.encode(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0) }
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }

    /// A member of an object.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let fields) = self { return fields[key] }
            return nil
        }
        set {
            if case .object(var fields) = self {
                fields[key] = newValue
                self = .object(fields)
            }
        }
    }

    /// The text of a string, or of a number.
    public var text: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// An integer from a number or numeric string.
    public var int: Int? { text.flatMap { Int($0) } }

    /// A decimal from a number or a decimal string.
    public var decimal: Decimal? { text.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }

    /// The value of a boolean.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The fields of an object.
    public var object: [String: JSONValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    /// The elements of an array.
    public var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// An integer as a JSON number.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
    /// A decimal as a JSON string, as vendors send money.
    public static func decimalString(_ value: Decimal) -> JSONValue {
        var copy = value
        return .string(NSDecimalString(&copy, Locale(identifier: "en_US_POSIX")))
    }

    /// A computed money amount as vendors print it: at least two fraction digits ("1255.10").
    public static func moneyString(_ value: Decimal) -> JSONValue {
        var copy = value
        let text = NSDecimalString(&copy, Locale(identifier: "en_US_POSIX"))
        guard let dot = text.firstIndex(of: ".") else { return .string(text + ".00") }
        let fraction = text.distance(from: dot, to: text.endIndex) - 1
        return .string(fraction >= 2 ? text : text + String(repeating: "0", count: 2 - fraction))
    }
}
