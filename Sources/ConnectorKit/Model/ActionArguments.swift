import Foundation

/// Arguments of a system action by flag name (without dashes), as the CLI or a job payload
/// gives them; repeated flags are lists. The readers refuse a bad value naming its flag.
public struct ActionArguments: Sendable, Codable, Equatable {
    /// Single-valued flags.
    public var values: [String: String]
    /// Repeated flags.
    public var lists: [String: [String]]

    /// Creates arguments.
    public init(values: [String: String] = [:], lists: [String: [String]] = [:]) {
        self.values = values
        self.lists = lists
    }

    /// A flag's value.
    public subscript(name: String) -> String? { values[name] }

    /// A flag that must be given.
    public func required(_ name: String) throws -> String {
        guard let value = values[name], !value.isEmpty else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) is required") }
        return value
    }

    /// A whole number.
    public func int(_ name: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) must be a whole number, got '\(text)'") }
        return value
    }

    /// A whole number that must be given.
    public func requiredInt(_ name: String) throws -> Int {
        guard let value = try int(name) else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) is required") }
        return value
    }

    /// `true` or `false`.
    public func bool(_ name: String) throws -> Bool? {
        guard let text = values[name] else { return nil }
        guard let value = Bool(text) else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) must be true or false, got '\(text)'") }
        return value
    }

    /// A calendar date `YYYY-MM-DD` that exists.
    public func day(_ name: String) throws -> String? {
        guard let text = values[name] else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) != nil, let date = formatter.vendorDate(from: text), formatter.string(from: date) == text else {
            throw ConnectorError.validation(field: "--\(name)", message: "--\(name) must be a date as YYYY-MM-DD, got '\(text)'")
        }
        return text
    }

    /// An ISO currency code.
    public func currency(_ name: String) throws -> CurrencyCode? {
        guard let text = values[name] else { return nil }
        do {
            return try CurrencyCode(text)
        } catch {
            throw ConnectorError.validation(field: "--\(name)", message: "--\(name) must be an ISO currency code such as USD, got '\(text)'")
        }
    }
}
