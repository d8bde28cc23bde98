/// Turns a `DecodingError` about a vendor's answer into a `ConnectorError` that names the
/// endpoint and the field, and nothing of the body.
///
/// A `DecodingError`'s own description may quote the values it met (and a vendor body may hold
/// personal data or tokens), so only the case, the expected type and the coding path are kept.
public enum DecodingFailure {
    /// The error for an answer of `endpoint` (`GET /projects`) that did not decode as `type`.
    public static func connectorError(_ error: any Error, endpoint: String, type: Any.Type) -> ConnectorError {
        let what = "\(endpoint): the answer did not match \(type)"
        guard let error = error as? DecodingError else {
            return .permanent("\(what) (it could not be read)")
        }
        switch error {
        case .typeMismatch(let expected, let context):
            return .permanent("\(what) at \(path(context.codingPath)): expected \(describe(expected))")
        case .valueNotFound(let expected, let context):
            return .permanent("\(what) at \(path(context.codingPath)): expected \(describe(expected)), found null")
        case .keyNotFound(let key, let context):
            return .permanent("\(what): missing field \(path(context.codingPath + [key]))")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .permanent("\(what): the body is not valid JSON (an error page, or cut short)")
        case .dataCorrupted(let context):
            return .permanent("\(what) at \(path(context.codingPath)): the value is not in the expected form")
        @unknown default:
            return .permanent("\(what) (it could not be read)")
        }
    }

    /// A coding path as `invoice.lines[2].amount`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "the top level" }
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + String(key.stringValue.prefix(64))
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is Double.Type, is Float.Type: return "a number"
        default:
            let name = "\(type)"
            return name.hasPrefix("Dictionary") ? "an object" : name.hasPrefix("Array") ? "a list" : name
        }
    }
}
