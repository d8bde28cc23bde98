import Foundation

/// The records the Asana sandbox keeps, built once for the API routes and the admin helpers,
/// with an honest value for every field Asana's schema gives them (the sandbox has no likes,
/// tags or dependencies, so those read as empty rather than missing).
extension AsanaWorld {
    /// The demo user as nested records show people.
    var meCompact: JSONValue { .object(["gid": .string(meGID), "resource_type": .string("user"), "name": .string("Avery Owner")]) }

    /// The workspace as nested records show it.
    var workspaceCompact: JSONValue { .object(["gid": .string(workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")]) }

    /// Adds a project (with its default section) and returns it.
    mutating func addProject(name: String, team: String?, input: [String: JSONValue] = [:]) -> JSONValue {
        let gid = newGID()
        let now = Self.timestamp(Date())
        let project: JSONValue = .object([
            "gid": .string(gid), "resource_type": .string("project"), "name": .string(name), "notes": input["notes"] ?? .string(""),
            "archived": .bool(false), "completed": .bool(false), "completed_at": .null, "completed_by": .null,
            "color": input["color"] ?? .string("none"), "icon": .string("list"), "default_view": .string("list"),
            "due_on": input["due_on"] ?? .null, "due_date": input["due_on"] ?? .null, "start_on": input["start_on"] ?? .null,
            "created_at": .string(now), "modified_at": .string(now), "created_from_template": .null, "project_brief": .null,
            "current_status": .null, "current_status_update": .null,
            "public": .bool(true), "privacy_setting": .string("public_to_workspace"), "default_access_level": .string("editor"),
            "minimum_access_level_for_customization": .string("editor"), "minimum_access_level_for_sharing": .string("editor"),
            "owner": meCompact, "members": .array([meCompact]), "followers": .array([meCompact]),
            "team": team.map { .object(["gid": .string($0), "resource_type": .string("team"), "name": .string("Delivery")]) } ?? .null,
            "workspace": workspaceCompact, "custom_fields": .array([]), "permalink_url": .string("https://app.asana.com/0/\(gid)/list"),
        ])
        projects[gid] = project
        sections[gid] = [.object(["gid": .string(newGID()), "resource_type": .string("section"), "name": .string("Untitled section"),
                                  "created_at": .string(now), "project": AsanaWorld.compact(project)])]
        return project
    }

    /// Adds a custom field definition; `input` carries the optional parts of a create request.
    mutating func addCustomField(name: String, subtype: String, input: [String: JSONValue] = [:]) -> JSONValue {
        let gid = newGID()
        var fields: [String: JSONValue] = [
            "gid": .string(gid), "resource_type": .string("custom_field"), "name": .string(name), "resource_subtype": .string(subtype), "type": .string(subtype),
            "representation_type": .string(subtype), "description": input["description"] ?? .string(""), "enabled": .bool(true),
            "is_global_to_workspace": .bool(false), "has_notifications_enabled": .bool(true), "created_by": meCompact,
            "currency_code": .null, "custom_label": .null, "custom_label_position": .null,
            "id_prefix": .null, "is_formula_field": .bool(false), "is_value_read_only": .bool(false), "asana_created_field": .null,
            "privacy_setting": .string("public_with_guests"), "default_access_level": .string("editor"),
        ]
        if subtype == "number" {
            fields["precision"] = .int(min(6, max(0, input["precision"]?.int ?? 0)))
            fields["format"] = input["format"] ?? .string("none")
            fields["currency_code"] = input["currency_code"] ?? .null
            fields["custom_label"] = input["custom_label"] ?? .null
            fields["custom_label_position"] = input["custom_label_position"] ?? .null
        }
        if subtype == "enum" || subtype == "multi_enum" {
            fields["enum_options"] = .array((input["enum_options"]?.array ?? []).map { option in
                newEnumOption(name: option["name"] ?? .string(""), color: option["color"])
            })
        }
        customFields[gid] = .object(fields)
        return .object(fields)
    }

    /// A new enum option (not yet on any field).
    mutating func newEnumOption(name: JSONValue, color: JSONValue?) -> JSONValue {
        .object(["gid": .string(newGID()), "resource_type": .string("enum_option"), "name": name, "enabled": .bool(true), "color": color ?? .string("none")])
    }

    /// The parts of a new task no request sets: social counts, links, who made it.
    func taskDefaults(subtype: String) -> [String: JSONValue] {
        var defaults: [String: JSONValue] = [
            "tags": .array([]), "followers": .array([meCompact]), "dependencies": .array([]), "dependents": .array([]),
            "likes": .array([]), "num_likes": .int(0), "hearts": .array([]), "num_hearts": .int(0), "liked": .bool(false), "hearted": .bool(false),
            "created_by": .object(["gid": .string(meGID), "resource_type": .string("user")]), "completed_by": .null,
            "is_rendered_as_separator": .bool(false),
            "start_at": .null, "actual_time_minutes": .null, "assignee_section": .null, "custom_type": .null, "custom_type_status_option": .null,
        ]
        // Only approvals have a status (the schema does not allow null).
        if subtype == "approval" { defaults["approval_status"] = .string("pending") }
        return defaults
    }

    /// `html_notes` as Asana derives it from plain `notes`: the text escaped inside `<body>`.
    static func htmlNotes(_ notes: String) -> String {
        let escaped = notes.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        return "<body>\(escaped)</body>"
    }
}
