import Foundation
import Sandbox
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The QuickBooks data model read from Intuit's XSDs (../shared/specs/quickbooks): for each
/// complex type its elements and attributes with their types, inherited ones included, and the
/// base of each simple type. JSON names are the element names (api digest 1.3).
final class QuickBooksSchema: NSObject, XMLParserDelegate, @unchecked Sendable {
    // @unchecked: filled by one XMLParser on one thread in `load`, read only afterwards.
    struct ComplexType {
        var fields: [String: String] = [:]
        var base: String?
        var simpleContent = false
        /// `<xs:element ref="IntuitObject">`: any member of that substitution group may appear.
        var groups: [String] = []
    }

    private(set) var complexTypes: [String: ComplexType] = [:]
    private(set) var simpleTypes: [String: String] = [:]
    /// Top-level elements: name → (type, substitution group).
    private(set) var elements: [String: (type: String, group: String?)] = [:]
    private var stack: [(kind: String, name: String?)] = []

    /// Reads every XSD in `directory`.
    static func load(_ directory: URL) throws -> QuickBooksSchema {
        let schema = QuickBooksSchema()
        for file in ["IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Finance.xsd", "IntuitRestServiceDef.xsd"] {
            guard let parser = XMLParser(contentsOf: directory.appendingPathComponent(file)) else { throw CocoaError(.fileNoSuchFile) }
            parser.delegate = schema
            guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        }
        return schema
    }

    private var currentComplex: String? { stack.last { $0.kind == "complexType" }?.name }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        let kind = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let name = attributes["name"]
        defer { stack.append((kind, name)) }
        // Only what sits directly under a named type counts, not anonymous types inside it.
        let owner = stack.last { $0.kind == "complexType" || $0.kind == "simpleType" }
        switch kind {
        case "complexType" where name != nil && owner == nil:
            complexTypes[name!, default: ComplexType()] = complexTypes[name!] ?? ComplexType()
        case "simpleType" where name != nil && owner == nil:
            simpleTypes[name!] = "xs:string"
        case "restriction":
            if let simple = stack.last(where: { $0.kind == "simpleType" })?.name, owner?.kind == "simpleType" { simpleTypes[simple] = attributes["base"] ?? "xs:string" }
        case "extension":
            if let type = currentComplex, owner?.kind == "complexType", owner?.name != nil {
                complexTypes[type]?.base = attributes["base"].map(Self.local)
                if stack.contains(where: { $0.kind == "simpleContent" }) { complexTypes[type]?.simpleContent = true }
            }
        case "element" where owner == nil && name != nil && stack.count == 1:
            elements[name!] = (attributes["type"].map(Self.local) ?? name!, attributes["substitutionGroup"].map(Self.local))
        case "element" where attributes["ref"] != nil:
            if let type = currentComplex, owner?.kind == "complexType", owner?.name != nil { complexTypes[type]?.groups.append(Self.local(attributes["ref"]!)) }
        case "element", "attribute":
            if let type = currentComplex, owner?.kind == "complexType", owner?.name != nil, let name {
                complexTypes[type]?.fields[name] = attributes["type"].map(Self.local) ?? "xs:string"
            }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    static func local(_ type: String) -> String {
        type.hasPrefix("xs:") ? type : String(type.split(separator: ":").last ?? Substring(type))
    }

    /// Every field of a type, its ancestors' included; nil for an unknown type.
    func fields(of type: String) -> [String: String]? {
        guard var current = complexTypes[type] else { return nil }
        var fields = current.fields
        var groups = current.groups
        while let base = current.base, let parent = complexTypes[base] {
            fields.merge(parent.fields) { own, _ in own }
            groups += parent.groups
            current = parent
        }
        for group in groups {
            for (name, element) in elements where element.group == group { fields[name] = fields[name] ?? element.type }
        }
        if isSimpleContent(type) { fields["value"] = "xs:string" }
        return fields
    }

    private func isSimpleContent(_ type: String) -> Bool {
        var current = complexTypes[type]
        while let found = current {
            if found.simpleContent { return true }
            current = found.base.flatMap { complexTypes[$0] }
        }
        return false
    }

    /// The XSD built-in a type comes down to (`xs:decimal`), or nil for a complex type.
    func scalar(_ type: String) -> String? {
        if type.hasPrefix("xs:") { return type }
        if complexTypes[type] != nil { return nil }
        var current = type
        var seen: Set<String> = []
        while let base = simpleTypes[current], !seen.contains(current) {
            seen.insert(current)
            if base.hasPrefix("xs:") { return base }
            current = Self.local(base)
        }
        return "xs:string"
    }

    /// Every way `value`, read as the complex type `type`, departs from the XSD: unknown
    /// element names and scalars of the wrong JSON kind, each with its path.
    func violations(_ value: JSONValue, as type: String, path: String) -> [String] {
        if let array = value.array { return array.enumerated().flatMap { violations($1, as: type, path: "\(path)[\($0)]") } }
        if let scalar = scalar(type) { return Self.matches(value, scalar) ? [] : ["\(path): \(value) is not \(scalar)"] }
        guard let object = value.object, let fields = fields(of: type) else { return ["\(path): expected an object of \(type)"] }
        return object.keys.sorted().flatMap { key -> [String] in
            guard let fieldType = fields[key] else { return ["\(path).\(key): not an element of \(type)"] }
            return violations(object[key]!, as: fieldType, path: "\(path).\(key)")
        }
    }

    private static func matches(_ value: JSONValue, _ scalar: String) -> Bool {
        switch (scalar, value) {
        case ("xs:decimal", .number), ("xs:int", .number), ("xs:integer", .number), ("xs:long", .number), ("xs:positiveInteger", .number),
             ("xs:double", .number), ("xs:float", .number), ("xs:short", .number), ("xs:nonNegativeInteger", .number):
            return true
        case ("xs:boolean", .bool):
            return true
        case (let type, .string) where !["xs:decimal", "xs:int", "xs:integer", "xs:long", "xs:positiveInteger", "xs:double", "xs:float", "xs:short", "xs:nonNegativeInteger", "xs:boolean"].contains(type):
            return true
        default:
            return false
        }
    }
}
