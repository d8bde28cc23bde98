import Foundation
import Yams

/// The schemas of an OpenAPI 3 YAML document with each schema's properties in document order
/// (`OpenAPISchemas` reads plain dictionaries, which lose it), for generators of sandbox tables
/// such as `AsanaResourceSchema.swift`.
public struct OrderedOpenAPISchemas: @unchecked Sendable {
    // Loaded once and only read afterwards; Yams nodes are plain values.
    let schemas: [String: Node]

    /// One property of a schema: its name, its description and its type (through `$ref`).
    public struct Property: Sendable, Equatable {
        /// The property's name.
        public var name: String
        /// Its description (the referenced schema's when the property is a `$ref`).
        public var description: String
        /// Its JSON Schema type (`array`, `string`…), if it names one.
        public var type: String?
    }

    /// Loads `components.schemas` of the YAML document at `path`.
    public static func load(_ path: String) throws -> OrderedOpenAPISchemas {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.compose(yaml: OpenAPISchemas.schemasSection(of: text)), let mapping = root["schemas"]?.mapping else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var schemas: [String: Node] = [:]
        for (key, value) in mapping { if let name = key.string { schemas[name] = value } }
        return OrderedOpenAPISchemas(schemas: schemas)
    }

    /// True when the document defines schema `name`.
    public func has(_ name: String) -> Bool { schemas[name] != nil }

    /// The properties schema `name` defines through `allOf` (parts first) and `$ref`, in
    /// document order; a name defined twice keeps its first definition.
    public func properties(of name: String) -> [Property] {
        var found: [Property] = []
        var names = Set<String>()
        func walk(_ node: Node) {
            let schema = resolve(node)
            for part in schema["allOf"]?.sequence ?? [] { walk(part) }
            for (key, value) in schema["properties"]?.mapping.map(Array.init) ?? [] {
                guard let property = key.string, names.insert(property).inserted else { continue }
                let target = value["$ref"] == nil ? value : resolve(value)
                found.append(Property(name: property, description: target["description"]?.string ?? "", type: resolve(value)["type"]?.string))
            }
        }
        schemas[name].map(walk)
        return found
    }

    private func resolve(_ node: Node) -> Node {
        guard let reference = node["$ref"]?.string, let name = reference.split(separator: "/").last, let target = schemas[String(name)] else { return node }
        return resolve(target)
    }
}

extension OpenAPISchemas {
    /// The `components.schemas` section of an OpenAPI YAML document as a document of its own
    /// (`schemas:` and its entries): the section is a few hundred KB of a 3 MB file.
    static func schemasSection(of text: String) -> String {
        var lines: [Substring] = []
        var inComponents = false
        var inSchemas = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "components:" { inComponents = true; continue }
            if inComponents && !line.hasPrefix(" ") && !line.isEmpty { inComponents = false; inSchemas = false }
            if inComponents && line == "  schemas:" { inSchemas = true; continue }
            if inSchemas {
                if line.hasPrefix("  ") && !line.hasPrefix("   ") && !line.isEmpty { inSchemas = false; continue }
                lines.append(line)
            }
        }
        return "schemas:\n" + lines.joined(separator: "\n")
    }
}
