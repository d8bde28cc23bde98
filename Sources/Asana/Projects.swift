import ConnectorKit
import Foundation

/// What creating or updating a project sends.
public struct ProjectDraft: Encodable, Sendable, Equatable {
    public var name: String?
    public var notes: String?
    public var team: String?
    public var workspace: String?
    public var due_on: String?
    public var archived: Bool?
    /// The project's own custom field values, by field GID.
    public var custom_fields: [String: CustomFieldInput]?

    /// Creates a draft; nil fields are left out.
    public init(name: String? = nil, notes: String? = nil, team: String? = nil, workspace: String? = nil, dueOn: String? = nil, archived: Bool? = nil,
                customFields: [String: CustomFieldInput]? = nil) {
        custom_fields = customFields
        self.name = name
        self.notes = notes
        self.team = team
        self.workspace = workspace
        due_on = dueOn
        self.archived = archived
    }
}

extension AsanaClient {
    /// Who the token belongs to and the workspaces it reaches.
    public func me() async throws -> User {
        try await send(.GET, "/users/me", fields: User.fields, as: User.self)
    }

    /// The workspace's people.
    public func users() throws -> Paged<User> {
        list("/workspaces/\(try workspaceGID())/users", fields: ["name", "email"], as: User.self)
    }

    /// Projects of a team, or of the connection's workspace.
    public func projects(team: String? = nil, archived: Bool? = nil) throws -> Paged<Project> {
        let path = try team.map { "/teams/\($0)/projects" } ?? "/workspaces/\(workspaceGID())/projects"
        return list(path, query: archived.map { [("archived", $0 ? "true" : "false")] } ?? [], fields: Project.fields, as: Project.self)
    }

    /// One project.
    public func project(gid: String) async throws -> Project {
        try await send(.GET, "/projects/\(gid)", fields: Project.fields, as: Project.self)
    }

    /// Creates a project in a team (or the workspace).
    public func createProject(_ draft: ProjectDraft) async throws -> Project {
        var draft = draft
        if draft.workspace == nil { draft.workspace = try workspaceGID() }
        return try await send(.POST, "/projects", fields: Project.fields, body: draft, as: Project.self)
    }

    /// Updates a project.
    public func updateProject(gid: String, _ draft: ProjectDraft) async throws -> Project {
        try await send(.PUT, "/projects/\(gid)", fields: Project.fields, body: draft, as: Project.self)
    }

    /// The custom fields on a project.
    public func customFieldSettings(project: String) -> Paged<CustomFieldSetting> {
        list("/projects/\(project)/custom_field_settings", fields: CustomField.fields.map { "custom_field." + $0 }, as: CustomFieldSetting.self)
    }

    /// Attaches a custom field to a project.
    public func addCustomFieldSetting(project: String, field: String) async throws {
        _ = try await raw(.POST, "/projects/\(project)/addCustomFieldSetting", body: ["custom_field": field, "is_important": "true"])
    }
}
