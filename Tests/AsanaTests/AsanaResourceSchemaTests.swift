import Foundation
import TestSupport
import Testing

/// `AsanaResourceSchema.byResourceType` (the sandbox's field table) is what Asana's OpenAPI
/// document gives; `Scripts/generate-asana-resource-schema` writes it again from the document.
@Suite struct AsanaResourceSchemaTests {
    /// The resource types the sandbox serves, by `resource_type` and schema name, in file order.
    static let resourceTypes = [("task", "Task"), ("project", "Project"), ("custom_field", "CustomField"), ("custom_field_setting", "CustomFieldSetting"),
                                ("user", "User"), ("workspace", "Workspace"), ("team", "Team"), ("section", "Section"), ("story", "Story"),
                                ("webhook", "Webhook"), ("enum_option", "EnumOption")]
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Sandbox/Asana/AsanaResourceSchema.swift")
    /// The line the generated table starts after.
    static let tableStart = "    static let byResourceType: [String: AsanaResourceSchema] = [\n"

    /// The table's entries and the file's closing lines, as the generator writes them.
    static func render(_ spec: OrderedOpenAPISchemas) -> String {
        func list(_ names: [String]) -> String { "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        var text = ""
        for (resourceType, schema) in resourceTypes {
            let full = spec.properties(of: spec.has(schema + "Response") ? schema + "Response" : schema)
            let compact = spec.properties(of: spec.has(schema + "Compact") ? schema + "Compact" : schema)
            let optIn = { (property: OrderedOpenAPISchemas.Property) in property.description.contains("[Opt In]") }
            text += """
                    "\(resourceType)": AsanaResourceSchema(
                        fields: \(list(full.map(\.name).sorted())),
                        compact: \(list(compact.filter { !optIn($0) }.map(\.name))),
                        optIn: \(list(full.filter(optIn).map(\.name).sorted())),
                        arrays: \(list(full.filter { $0.type == "array" }.map(\.name).sorted()))
                    ),

            """
        }
        return text + "    ]\n}\n"
    }

    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"))
    func theCommittedTableIsWhatAsanasDocumentGives() throws {
        let spec = try OrderedOpenAPISchemas.load(try SharedSpecs.file("asana/asana_oas.yaml").path)
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        let head = try #require(committed.range(of: Self.tableStart), "the table's first line moved; update tableStart")
        let rendered = Self.render(spec)
        if ProcessInfo.processInfo.environment["ML_CONNECTOR_REGENERATE"] == "1" {
            try (committed[..<head.upperBound] + rendered).write(to: Self.file, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(committed[head.upperBound...]) == rendered, "run Scripts/generate-asana-resource-schema")
    }
}
