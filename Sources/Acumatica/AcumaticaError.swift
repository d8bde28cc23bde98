import ConnectorKit
import Foundation
import NIOCore
import NIOFoundationCompat

/// Acumatica's error bodies as `ConnectorError`s (api digest 2.5): an `HttpError`
/// (`{"message","exceptionMessage",…}`) for 400 and 500, the entity echoed back with `error`
/// under the offending fields for 422, and 412 for an insert-only or update-only write that met
/// (or missed) a record.
enum AcumaticaError {
    /// The dialect for the client shell: bodies go as they are.
    static let dialect = VendorDialect(errorStatuses: [400, 404, 412, 422], mapError: map)

    static func map(_ response: InboundResponse, path: String) -> ConnectorError {
        switch response.status {
        case 404: return .notFound("Acumatica \(path): \(message(of: response))")
        case 412: return .conflict("Acumatica \(path): a record with these keys already exists, or none does (If-None-Match / If-Match)")
        case 422:
            if let found = fieldError(of: response) { return .validation(field: found.0, message: "Acumatica refused \(path): \(found.1)") }
            return .validation(field: "request", message: "Acumatica refused \(path): \(message(of: response))")
        default: return .validation(field: "request", message: "Acumatica refused \(path): \(message(of: response))")
        }
    }

    /// The `HttpError` message, or the body's start.
    static func message(of response: InboundResponse) -> String {
        struct HttpError: Decodable {
            var message: String?
            var exceptionMessage: String?
            var error: String?
        }
        let parsed = try? JSONDecoder().decode(HttpError.self, from: Data(buffer: response.body))
        let text = [parsed?.message, parsed?.exceptionMessage, parsed?.error].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? String(String(buffer: response.body).prefix(300)) : text
    }

    /// The first field of a 422's echoed entity that carries an `error`, detail lines included
    /// (`Details[0].Qty`).
    static func fieldError(of response: InboundResponse) -> (String, String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] else { return nil }
        return fieldError(in: object, path: "")
    }

    private static func fieldError(in object: [String: Any], path: String) -> (String, String)? {
        for key in object.keys.sorted() {
            let name = path.isEmpty ? key : "\(path).\(key)"
            if let field = object[key] as? [String: Any] {
                if let error = field["error"] as? String { return (name, error) }
                if let nested = fieldError(in: field, path: name) { return nested }
            } else if let lines = object[key] as? [[String: Any]] {
                for (index, line) in lines.enumerated() {
                    if let nested = fieldError(in: line, path: "\(name)[\(index)]") { return nested }
                }
            }
        }
        if let error = object["error"] as? String { return (path.isEmpty ? "entity" : path, error) }
        return nil
    }
}
