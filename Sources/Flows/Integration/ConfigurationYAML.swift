import ConnectorKit
import Foundation
import Yams

/// Reads an integration's YAML; a missing or mistyped key is an error naming it.
public enum ConfigurationYAML {
    /// The largest configuration read: a real one is a few kilobytes.
    public static let maximumBytes = 256 * 1024

    /// Decodes `yaml` as `type`.
    public static func decode<Value: Decodable>(_ type: Value.Type, from yaml: String) throws -> Value {
        guard yaml.utf8.count <= maximumBytes else {
            throw ConnectorError.validation(field: "file", message: "is \(yaml.utf8.count) bytes; a configuration is at most \(maximumBytes)")
        }
        do {
            return try YAMLDecoder().decode(type, from: yaml)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConnectorError.validation(field: path(context.codingPath + [key]), message: "is required")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ConnectorError.validation(field: path(context.codingPath), message: "must be \(describe(type)) (GIDs are quoted strings)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ConnectorError.validation(field: path(context.codingPath), message: "must be \(describe(type)), not empty")
        } catch let DecodingError.dataCorrupted(context) {
            throw ConnectorError.validation(field: path(context.codingPath).ifEmpty("file"), message: "is not valid YAML: \(context.debugDescription)")
        } catch {
            throw ConnectorError.validation(field: "file", message: "is not valid YAML: \(error)")
        }
    }

    /// Reads a poll interval (`90s`, `5m`, `1h`; at least 30 s; 5 minutes when absent).
    public static func interval(_ text: String?, field: String) throws -> Duration {
        guard let text else { return .seconds(300) }
        guard let match = text.wholeMatch(of: #/([0-9]{1,6})(s|m|h)/#), let count = Int(match.1), count > 0 else {
            throw ConnectorError.validation(field: field, message: "'\(text)' is not a duration such as 90s, 5m or 1h")
        }
        let seconds = count * (match.2 == "s" ? 1 : match.2 == "m" ? 60 : 3600)
        guard seconds >= 30 else { throw ConnectorError.validation(field: field, message: "polling more often than every 30s spends the vendors' limits; use 30s or more") }
        guard seconds <= 7 * 86_400 else { throw ConnectorError.validation(field: field, message: "'\(text)' is longer than a week; the poll is the guarantee behind webhooks, so keep it at a week or less") }
        return .seconds(seconds)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: "a \(type)"
        }
    }
}

extension String {
    /// `replacement` when the string is empty.
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
