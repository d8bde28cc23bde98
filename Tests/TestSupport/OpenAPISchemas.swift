import Foundation
import Yams

/// The schemas of an OpenAPI 3 document, and a checker of JSON values against them: enough of
/// JSON Schema for a vendor's contract (type, nullable, properties, required, items, allOf,
/// oneOf, anyOf, enum, `$ref`, readOnly in requests, date and date-time formats). Used for every
/// vendor whose contract is an OpenAPI document (Asana's YAML, Acumatica's JSON).
public struct OpenAPISchemas: @unchecked Sendable {
    // Loaded once and only read afterwards; Yams nodes and JSONSerialization trees are plain values.
    let schemas: [String: Any]

    /// Loads `components.schemas` (OpenAPI 3) or `definitions` (Swagger 2) of a JSON document.
    public static func loadJSON(_ path: String) throws -> OpenAPISchemas {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        guard let schemas = (root?["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? root?["definitions"] as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return OpenAPISchemas(schemas: schemas)
    }

    /// True when the document defines schema `name`.
    public func has(_ name: String) -> Bool { schemas[name] != nil }

    /// The property names schema `name` defines, through `allOf` and `$ref`.
    public func propertyNames(of name: String) -> Set<String> {
        func names(_ raw: Any) -> Set<String> {
            let schema = resolve(raw)
            var found = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
            for part in schema["allOf"] as? [Any] ?? [] { found.formUnion(names(part)) }
            return found
        }
        return schemas[name].map(names) ?? []
    }

    /// Loads `components.schemas` only: the section is a few hundred KB of a 3 MB file.
    public static func load(_ path: String) throws -> OpenAPISchemas {
        let yaml = schemasSection(of: try String(contentsOfFile: path, encoding: .utf8))
        guard let root = try Yams.load(yaml: yaml) as? [String: Any], let schemas = root["schemas"] as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return OpenAPISchemas(schemas: schemas)
    }

    /// True when `operation` (`POST /tasks/12`) is the operation `pattern` names, `*` standing
    /// for one path segment (`POST /tasks/*`).
    public static func matches(_ operation: String, _ pattern: String) -> Bool {
        let a = operation.split(separator: "/")
        let b = pattern.split(separator: "/")
        return a.count == b.count && zip(a, b).allSatisfy { $1 == "*" || $0 == $1 }
    }

    /// Problems found checking `value` (from JSONSerialization) against schema `name`.
    public func check(_ value: Any, against name: String, request: Bool = false) -> [String] {
        guard let schema = schemas[name] else { return ["no schema named \(name)"] }
        var problems: [String] = []
        check(value, schema, path: "$", request: request, problems: &problems)
        return problems
    }

    private func resolve(_ schema: Any) -> [String: Any] {
        guard var dictionary = schema as? [String: Any] else { return [:] }
        if let ref = dictionary["$ref"] as? String, let name = ref.split(separator: "/").last, let target = schemas[String(name)] as? [String: Any] {
            dictionary.removeValue(forKey: "$ref")
            return resolve(target).merging(dictionary) { _, local in local }
        }
        return dictionary
    }

    private func isNullable(_ schema: [String: Any]) -> Bool {
        if schema["nullable"] as? Bool == true { return true }
        return (schema["allOf"] as? [Any])?.contains { resolve($0)["nullable"] as? Bool == true } ?? false
    }

    private func check(_ value: Any, _ raw: Any, path: String, request: Bool, problems: inout [String]) {
        let schema = resolve(raw)
        if value is NSNull {
            if !isNullable(schema) && (schema["type"] != nil || schema["properties"] != nil) { problems.append("\(path): null but not nullable") }
            return
        }
        if let all = schema["allOf"] as? [Any] {
            for part in all { check(value, part, path: path, request: request, problems: &problems) }
        }
        for key in ["oneOf", "anyOf"] {
            if let options = schema[key] as? [Any] {
                let passes = options.contains { option in
                    var local: [String] = []
                    check(value, option, path: path, request: request, problems: &local)
                    return local.isEmpty
                }
                if !passes { problems.append("\(path): matches none of \(key)") }
            }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path): \(value) is not one of \(allowed)")
        }
        switch schema["type"] as? String {
        case "object"?:
            guard let object = value as? [String: Any] else { problems.append("\(path): expected an object"); return }
            checkObject(object, schema, path: path, request: request, problems: &problems)
        case "array"?:
            guard let array = value as? [Any] else { problems.append("\(path): expected an array"); return }
            if let items = schema["items"] {
                for (index, element) in array.enumerated() { check(element, items, path: "\(path)[\(index)]", request: request, problems: &problems) }
            }
        case "string"?:
            guard let string = value as? String else { problems.append("\(path): expected a string, got \(value)"); return }
            if schema["format"] as? String == "date", string.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) == nil { problems.append("\(path): '\(string)' is not a date") }
            if schema["format"] as? String == "date-time", string.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)/#) == nil { problems.append("\(path): '\(string)' is not a date-time") }
        case "integer"?:
            if !(value is NSNumber) || "\(value)".contains(".") { problems.append("\(path): expected an integer, got \(value)") }
        case "number"?:
            if !(value is NSNumber) { problems.append("\(path): expected a number, got \(value)") }
        case "boolean"?:
            if !(value is NSNumber) { problems.append("\(path): expected a boolean, got \(value)") }
        default:
            if let object = value as? [String: Any], schema["properties"] != nil { checkObject(object, schema, path: path, request: request, problems: &problems) }
        }
    }

    private func checkObject(_ object: [String: Any], _ schema: [String: Any], path: String, request: Bool, problems: inout [String]) {
        let properties = schema["properties"] as? [String: Any] ?? [:]
        for required in schema["required"] as? [String] ?? [] where object[required] == nil {
            problems.append("\(path).\(required): required")
        }
        for (key, value) in object {
            guard let property = properties[key] else { continue }
            if request, resolve(property)["readOnly"] as? Bool == true { problems.append("\(path).\(key): read-only, must not be sent") }
            check(value, property, path: "\(path).\(key)", request: request, problems: &problems)
        }
    }
}
