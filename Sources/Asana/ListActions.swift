import ConnectorKit
import Foundation

/// Bulk reads: every task of a project, a team or the workspace, and the workspace's custom
/// fields, paged with Asana's offset at its largest page (100, digest B4) and streamed.
extension AsanaActions {
    static let listTasks = SystemAction(ActionDescriptor(name: "list-tasks", summary: "List every task, with its fields, of a project, a team's projects or a workspace's projects.", safeToRepeat: true, arguments: [
        ActionArgument("project", help: "A project gid."),
        ActionArgument("team", help: "Every project of this team (a team gid)."),
        ActionArgument("workspace", help: "Every project of this workspace (a workspace gid)."),
        ActionArgument("modified-since", help: "Only tasks changed since this time (2026-11-21T10:00:00Z) or day (2026-11-21)."),
    ], streams: true)) { call in
        let asana = client(call)
        let arguments = call.arguments
        let since = try arguments["modified-since"].map { try AsanaTime.parseFlag($0, field: "--modified-since") }
        let scopes = [arguments["project"], arguments["team"], arguments["workspace"]].compactMap { $0 }
        guard scopes.count == 1 else {
            throw ConnectorError.validation(field: "--project/--team/--workspace", message: "list-tasks needs exactly one of --project, --team or --workspace")
        }
        let projects: [String]
        if let project = arguments["project"] {
            projects = [project]
        } else if let team = arguments["team"] {
            projects = try await asana.projects(team: team).collect().map(\.gid)
        } else {
            projects = try await asana.projects(workspace: try arguments.required("workspace")).collect().map(\.gid)
        }
        // A task in two projects is listed once.
        return try await call.list("tasks", projects.map { asana.tasks(project: $0, modifiedSince: since) }, identity: \.gid)
    }

    static let listCustomFields = SystemAction(ActionDescriptor(name: "list-custom-fields", summary: "List the workspace's custom fields.", safeToRepeat: true, arguments: [
        ActionArgument("workspace", help: "A workspace gid (default: the connection's)."),
    ], streams: true)) { call in
        let asana = client(call)
        return try await call.list("custom_fields", asana.customFields(workspace: try call.arguments["workspace"] ?? asana.workspaceGID()))
    }
}

extension AsanaClient {
    /// Every project of a workspace, by its gid.
    public func projects(workspace: String) -> Paged<Project> {
        list("/workspaces/\(workspace)/projects", fields: Project.fields, as: Project.self)
    }

    /// The custom field definitions of a workspace.
    public func customFields(workspace: String) -> Paged<CustomField> {
        list("/workspaces/\(workspace)/custom_fields", fields: CustomField.fields, as: CustomField.self)
    }
}

extension AsanaTime {
    /// A flag's time: an ISO 8601 instant, or a day meaning its UTC midnight.
    static func parseFlag(_ text: String, field: String) throws -> Date {
        if let date = ISO8601DateFormatter().vendorDate(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.vendorDate(from: text) { return date }
        throw ConnectorError.validation(field: field, message: "'\(text)' is not a time: use 2026-11-21T10:00:00Z or 2026-11-21")
    }
}

extension CustomField: ActionRecord {
    public static let columns = ["GID", "NAME", "TYPE", "OPTIONS"]
    public var row: [String] { [gid, name, resource_subtype, (enum_options ?? []).map(\.name).joined(separator: ", ")] }
    public var ref: ExternalRef { .asana(.customField, gid) }
}
