/// The fields Asana's OpenAPI document gives each resource type, so that a field a client asks
/// for comes back whenever Asana would return it (with its value, `[]` for a list, or `null`).
/// `byResourceType` is generated from `shared/specs/asana/asana_oas.yaml` by
/// `Scripts/generate-asana-resource-schema` (`AsanaResourceSchemaTests`, which fails when this
/// file and the document differ): `fields` are the properties of `<Resource>Response` (allOf
/// resolved), `compact` those of `<Resource>Compact` that are not marked "[Opt In]", `optIn`
/// the properties so marked, `arrays` the array-typed ones.
struct AsanaResourceSchema: Sendable {
    /// Every field the full representation may carry.
    let fields: Set<String>
    /// The compact representation: what lists and unexpanded nested objects show.
    let compact: [String]
    /// Fields returned only when `opt_fields` names them.
    let optIn: Set<String>
    /// Array-typed fields: a field the sandbox keeps no value for reads as `[]`, not `null`.
    let arrays: Set<String>

    /// The schema of a `resource_type`, if the sandbox serves that type.
    static func of(_ resourceType: String?) -> AsanaResourceSchema? {
        resourceType.flatMap { byResourceType[$0] }
    }

    static let byResourceType: [String: AsanaResourceSchema] = [
        "task": AsanaResourceSchema(
            fields: ["actual_time_minutes", "approval_status", "assigned_by", "assignee", "assignee_section", "assignee_status", "completed", "completed_at", "completed_by", "created_at", "created_by", "custom_fields", "custom_type", "custom_type_status_option", "dependencies", "dependents", "due_at", "due_on", "external", "followers", "gid", "hearted", "hearts", "html_notes", "is_rendered_as_separator", "liked", "likes", "memberships", "modified_at", "name", "notes", "num_hearts", "num_likes", "num_subtasks", "parent", "permalink_url", "projects", "resource_subtype", "resource_type", "start_at", "start_on", "tags", "workspace"],
            compact: ["gid", "resource_type", "name", "resource_subtype"],
            optIn: ["created_by", "dependencies", "dependents", "external", "html_notes", "is_rendered_as_separator", "num_subtasks"],
            arrays: ["custom_fields", "dependencies", "dependents", "followers", "hearts", "likes", "memberships", "projects", "tags"]
        ),
        "project": AsanaResourceSchema(
            fields: ["archived", "color", "completed", "completed_at", "completed_by", "created_at", "created_from_template", "current_status", "current_status_update", "custom_field_settings", "custom_fields", "default_access_level", "default_view", "due_date", "due_on", "followers", "gid", "html_notes", "icon", "members", "minimum_access_level_for_customization", "minimum_access_level_for_sharing", "modified_at", "name", "notes", "owner", "permalink_url", "privacy_setting", "project_brief", "public", "resource_type", "start_on", "team", "workspace"],
            compact: ["gid", "resource_type", "name"],
            optIn: ["html_notes"],
            arrays: ["custom_field_settings", "custom_fields", "followers", "members"]
        ),
        "custom_field": AsanaResourceSchema(
            fields: ["asana_created_field", "created_by", "currency_code", "custom_label", "custom_label_position", "date_value", "default_access_level", "description", "display_value", "enabled", "enum_options", "enum_value", "format", "gid", "has_notifications_enabled", "html_text_value", "id_prefix", "input_restrictions", "is_formula_field", "is_global_to_workspace", "is_value_read_only", "multi_enum_values", "name", "number_value", "people_value", "precision", "privacy_setting", "reference_value", "representation_type", "resource_subtype", "resource_type", "text_value", "type"],
            compact: ["gid", "resource_type", "name", "type", "enum_options", "enabled", "representation_type", "id_prefix", "input_restrictions", "is_formula_field", "date_value", "enum_value", "multi_enum_values", "number_value", "text_value", "display_value"],
            optIn: ["description"],
            arrays: ["enum_options", "input_restrictions", "multi_enum_values", "people_value", "reference_value"]
        ),
        "custom_field_setting": AsanaResourceSchema(
            fields: ["custom_field", "gid", "is_important", "parent", "project", "resource_type"],
            compact: ["gid", "resource_type"],
            optIn: [],
            arrays: []
        ),
        "user": AsanaResourceSchema(
            fields: ["custom_fields", "email", "gid", "name", "photo", "resource_type", "workspaces"],
            compact: ["gid", "resource_type", "name"],
            optIn: [],
            arrays: ["custom_fields", "workspaces"]
        ),
        "workspace": AsanaResourceSchema(
            fields: ["email_domains", "gid", "is_organization", "name", "resource_type"],
            compact: ["gid", "resource_type", "name"],
            optIn: [],
            arrays: ["email_domains"]
        ),
        "team": AsanaResourceSchema(
            fields: ["custom_field_settings", "description", "edit_team_name_or_description_access_level", "edit_team_visibility_or_trash_team_access_level", "endorsed", "gid", "guest_invite_management_access_level", "html_description", "join_request_management_access_level", "member_invite_management_access_level", "name", "organization", "permalink_url", "resource_type", "team_content_management_access_level", "team_member_removal_access_level", "visibility"],
            compact: ["gid", "resource_type", "name"],
            optIn: ["description", "html_description"],
            arrays: ["custom_field_settings"]
        ),
        "section": AsanaResourceSchema(
            fields: ["created_at", "gid", "name", "project", "projects", "resource_type"],
            compact: ["gid", "resource_type", "name"],
            optIn: [],
            arrays: ["projects"]
        ),
        "story": AsanaResourceSchema(
            fields: ["assignee", "created_at", "created_by", "custom_field", "dependency", "duplicate_of", "duplicated_from", "follower", "gid", "hearted", "hearts", "html_text", "is_editable", "is_edited", "is_pinned", "liked", "likes", "new_approval_status", "new_date_value", "new_dates", "new_enum_value", "new_multi_enum_values", "new_name", "new_number_value", "new_people_value", "new_resource_subtype", "new_section", "new_text_value", "num_hearts", "num_likes", "old_approval_status", "old_date_value", "old_dates", "old_enum_value", "old_multi_enum_values", "old_name", "old_number_value", "old_people_value", "old_resource_subtype", "old_section", "old_text_value", "previews", "project", "reaction_summary", "resource_subtype", "resource_type", "source", "sticker_name", "story", "tag", "target", "task", "text", "type"],
            compact: ["gid", "resource_type", "created_at", "created_by", "resource_subtype", "text"],
            optIn: ["html_text"],
            arrays: ["hearts", "likes", "new_multi_enum_values", "new_people_value", "old_multi_enum_values", "old_people_value", "previews", "reaction_summary"]
        ),
        "webhook": AsanaResourceSchema(
            fields: ["active", "created_at", "delivery_retry_count", "failure_deletion_timestamp", "filters", "gid", "last_failure_at", "last_failure_content", "last_success_at", "next_attempt_after", "resource", "resource_type", "target"],
            compact: ["gid", "resource_type", "active", "resource", "target"],
            optIn: [],
            arrays: ["filters"]
        ),
        "enum_option": AsanaResourceSchema(
            fields: ["color", "enabled", "gid", "name", "resource_type"],
            compact: ["gid", "resource_type", "name", "enabled", "color"],
            optIn: [],
            arrays: []
        ),
    ]
}
