import ConnectorKit
import Foundation

/// The kind of custom field a mapping needs.
public enum CustomFieldKind: String, Sendable, Codable {
    case text, number, enumeration = "enum", date

    func accepts(_ subtype: String) -> Bool {
        subtype == rawValue || (self == .enumeration && subtype == "enum")
    }
}

/// A custom field a configuration names: the key in the user's file, the GID, what it must be.
public struct CustomFieldRequirement: Sendable, Equatable {
    /// Where the GID was written (`asana.fields.billable_amount`), for messages.
    public var key: String
    public var gid: String
    public var kind: CustomFieldKind
    /// Enum option GIDs that must exist, by the name the configuration gives them.
    public var options: [String: String]

    /// Creates a requirement.
    public init(key: String, gid: String, kind: CustomFieldKind, options: [String: String] = [:]) {
        self.key = key
        self.gid = gid
        self.kind = kind
        self.options = options
    }
}

extension AsanaClient {
    /// One custom field definition.
    public func customField(gid: String) async throws -> CustomField {
        try await send(.GET, "/custom_fields/\(gid)", fields: CustomField.fields, as: CustomField.self)
    }

    /// Adds an option to an enum field (a new vendor name, say).
    public func createEnumOption(field: String, name: String) async throws -> EnumOption {
        try await send(.POST, "/custom_fields/\(field)/enum_options", fields: ["name", "enabled"], body: ["name": name], as: EnumOption.self)
    }

    /// Renames an enum option or enables/disables it (`PUT /enum_options/{gid}`). Options are
    /// never deleted: a disabled one stays on the tasks that carry it (api digest B5).
    public func updateEnumOption(gid: String, name: String? = nil, enabled: Bool? = nil) async throws -> EnumOption {
        struct Change: Encodable, Sendable {
            var name: String?
            var enabled: Bool?
        }
        return try await send(.PUT, "/enum_options/\(gid)", fields: ["name", "enabled"], body: Change(name: name, enabled: enabled), as: EnumOption.self)
    }

    /// Resolves every required field by GID — never by name, so a renamed field still maps —
    /// and checks its type and enum options; the first problem is an error naming the key.
    public func validate(_ requirements: [CustomFieldRequirement]) async throws -> [String: CustomField] {
        var resolved: [String: CustomField] = [:]
        for requirement in requirements {
            let field: CustomField
            do {
                field = try await customField(gid: requirement.gid)
            } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: requirement.key, message: "custom field GID \(requirement.gid) does not exist in Asana (or this connection cannot see it)")
            }
            guard requirement.kind.accepts(field.resource_subtype) else {
                throw ConnectorError.validation(field: requirement.key, message: "custom field \(requirement.gid) (\"\(field.name)\") is a \(field.resource_subtype) field; \(requirement.key) needs a \(requirement.kind.rawValue) field")
            }
            let options = field.enum_options ?? []
            for (name, gid) in requirement.options.sorted(by: { $0.key < $1.key }) {
                guard let option = options.first(where: { $0.gid == gid }) else {
                    throw ConnectorError.validation(field: "\(requirement.key).options.\(name)", message: "enum option GID \(gid) is not an option of custom field \(requirement.gid) (\"\(field.name)\")")
                }
                if option.enabled == false {
                    throw ConnectorError.validation(field: "\(requirement.key).options.\(name)", message: "enum option \(gid) (\"\(option.name)\") is disabled")
                }
            }
            resolved[requirement.gid] = field
        }
        return resolved
    }

    /// Converts text to the value a field takes, by the field's own type.
    public func input(for field: CustomField, text: String) throws -> CustomFieldInput {
        switch field.resource_subtype {
        case "number":
            return .number(try Money.decimal(parsing: text, field: "custom field \(field.gid)"))
        case "enum":
            if let option = field.enum_options?.first(where: { $0.gid == text || $0.name == text }) { return .enumOption(option.gid) }
            throw ConnectorError.validation(field: "custom field \(field.gid)", message: "'\(text)' is not an option of \"\(field.name)\"")
        case "date":
            guard text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) != nil else {
                throw ConnectorError.validation(field: "custom field \(field.gid)", message: "'\(text)' is not a date YYYY-MM-DD")
            }
            return .date(text)
        default:
            return .text(text)
        }
    }
}
