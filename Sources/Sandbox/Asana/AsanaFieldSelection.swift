import Foundation
import Hummingbird

/// What `opt_fields` asks for, as a tree of field names (digest B1; Asana's input/output
/// options): `a,b.c,d.(e|f).g` selects `a`, `c` inside `b`, and `g` inside both `d.e` and `d.f`.
struct AsanaFieldSelection: Sendable, Equatable {
    /// The fields selected at this level, each with what is selected inside it (empty: itself).
    var fields: [String: AsanaFieldSelection] = [:]

    /// Parses the `opt_fields` text.
    init(_ text: String) {
        for path in text.split(separator: ",") {
            insert(Self.segments(path.trimmingCharacters(in: .whitespaces)))
        }
    }

    private init() {}

    /// The selection a request makes, or nil when it sends no `opt_fields`.
    static func of(_ request: Request) -> AsanaFieldSelection? {
        guard let text = SandboxHTTP.queryValue(request, "opt_fields"), !text.isEmpty else { return nil }
        return AsanaFieldSelection(text)
    }

    /// A dotted path as alternatives per level: `(project|section)` is two names at one level.
    private static func segments(_ path: String) -> [[String]] {
        var segments: [[String]] = []
        var current = ""
        var depth = 0
        for character in path {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "." where depth == 0:
                segments.append(alternatives(current))
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.isEmpty { segments.append(alternatives(current)) }
        // `this.name` is Asana's spelling of `name` on the record itself.
        if segments.first == ["this"] { segments.removeFirst() }
        return segments
    }

    private static func alternatives(_ segment: String) -> [String] {
        guard segment.hasPrefix("("), segment.hasSuffix(")") else { return [segment] }
        return segment.dropFirst().dropLast().split(separator: "|").map { String($0) }
    }

    private mutating func insert(_ segments: [[String]]) {
        guard let names = segments.first else { return }
        for name in names where !name.isEmpty {
            var child = fields[name] ?? AsanaFieldSelection()
            child.insert(Array(segments.dropFirst()))
            fields[name] = child
        }
    }
}

/// How Asana presents a record (digest B1, B5): compact in lists and inside other records, full
/// when read alone, and with `opt_fields` exactly the fields named plus `gid`, a field Asana's
/// schema knows but the sandbox holds no value for reading as `[]` (lists) or `null`.
enum AsanaPresentation {
    /// A record read alone: the selection, or its full representation (opt-in fields left out).
    static func single(_ record: JSONValue, _ selection: AsanaFieldSelection?) -> JSONValue {
        if let selection { return shape(record, selection) }
        guard case .object(let all) = record, let schema = AsanaResourceSchema.of(all["resource_type"]?.text) else { return record }
        var out: [String: JSONValue] = [:]
        for (key, value) in all where schema.fields.contains(key) && !schema.optIn.contains(key) { out[key] = compact(value) }
        return .object(out)
    }

    /// A record in a list: the selection, or compact.
    static func listed(_ record: JSONValue, _ selection: AsanaFieldSelection?) -> JSONValue {
        selection.map { shape(record, $0) } ?? compact(record)
    }

    /// `value` with exactly the selected fields, recursively; an object named without sub-fields
    /// comes back compact.
    static func shape(_ value: JSONValue, _ selection: AsanaFieldSelection) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map { shape($0, selection) })
        case .object(let all):
            let schema = AsanaResourceSchema.of(all["resource_type"]?.text)
            var out: [String: JSONValue] = [:]
            if let gid = all["gid"] { out["gid"] = gid }
            for (key, inner) in selection.fields {
                let field: JSONValue
                if let stored = all[key] {
                    field = stored
                } else if let schema, schema.fields.contains(key) {
                    field = schema.arrays.contains(key) ? .array([]) : .null
                } else {
                    continue
                }
                out[key] = inner.fields.isEmpty ? compact(field) : shape(field, inner)
            }
            return .object(out)
        default:
            return value
        }
    }

    /// The compact form: a resource's compact fields (from the schema), a plain object without a
    /// `resource_type` (`date_value`, a membership, `external`) with its resources compacted.
    static func compact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map(compact))
        case .object(let all):
            guard let type = all["resource_type"]?.text else { return .object(all.mapValues(compact)) }
            let names = AsanaResourceSchema.of(type)?.compact ?? ["gid", "resource_type", "name", "resource_subtype"]
            var out: [String: JSONValue] = [:]
            for name in names { if let field = all[name] { out[name] = compact(field) } }
            return .object(out)
        default:
            return value
        }
    }
}
