import ConnectorKit
import Foundation

/// A value to write into a custom field, by the field's type (digest B5: number as a JSON
/// number, enum as an option gid, text as a string, date as `YYYY-MM-DD`, null to clear).
public enum CustomFieldInput: Encodable, Sendable, Equatable {
    case text(String)
    case number(Decimal)
    case enumOption(String)
    case date(String)
    case clear

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value), .enumOption(let value), .date(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .clear: try container.encodeNil()
        }
    }
}

/// What creating or updating a task sends; nil fields are left out.
public struct TaskDraft: Encodable, Sendable, Equatable {
    public var name: String?
    public var notes: String?
    public var projects: [String]?
    public var assignee: String?
    public var due_on: String?
    public var completed: Bool?
    public var custom_fields: [String: CustomFieldInput]?
    public var external: AsanaTask.External?

    /// Creates a draft.
    public init(name: String? = nil, notes: String? = nil, projects: [String]? = nil, assignee: String? = nil, dueOn: String? = nil, completed: Bool? = nil,
                customFields: [String: CustomFieldInput]? = nil) {
        self.name = name
        self.notes = notes
        self.projects = projects
        self.assignee = assignee
        due_on = dueOn
        self.completed = completed
        custom_fields = customFields
        external = nil
    }
}

extension AsanaClient {
    /// One task, with exactly the fields the client reads.
    public func task(gid: String) async throws -> AsanaTask {
        try await send(.GET, "/tasks/\(gid)", fields: AsanaTask.fields + (usesOAuth ? ["external"] : []), as: AsanaTask.self)
    }

    /// The task carrying our key in `external.gid` (OAuth connections only).
    public func task(externalKey: String) async throws -> AsanaTask? {
        do {
            return try await send(.GET, "/tasks/external:\(externalKey)", fields: AsanaTask.fields + ["external"], as: AsanaTask.self)
        } catch ConnectorError.notFound {
            return nil
        }
    }

    /// Tasks of a project, optionally only those modified since an instant.
    public func tasks(project: String, modifiedSince: Date? = nil) -> Paged<AsanaTask> {
        var query = [("project", project)]
        if let modifiedSince { query.append(("modified_since", AsanaTime.format(modifiedSince))) }
        return list("/tasks", query: query, fields: AsanaTask.fields, as: AsanaTask.self)
    }

    /// Creates a task exactly once for `key`.
    ///
    /// With OAuth the key goes in `external.gid` and `external:KEY` finds it; with a personal
    /// access token (which cannot use `external`) it goes in the text custom field `keyField`
    /// and the project's tasks are searched for it. The lookup runs only when an earlier
    /// attempt was uncertain or this one failed after it may have been applied.
    public func createTask(_ draft: TaskDraft, key: String, keyField: String?, previousAttemptUncertain: Bool) async throws -> AsanaTask {
        var draft = draft
        if usesOAuth {
            draft.external = AsanaTask.External(gid: key, data: nil)
        } else if let keyField {
            draft.custom_fields = (draft.custom_fields ?? [:]).merging([keyField: .text(key)]) { _, new in new }
        }
        if previousAttemptUncertain, let existing = try await findTask(key: key, keyField: keyField, projects: draft.projects ?? []) {
            return existing
        }
        do {
            return try await send(.POST, "/tasks", fields: AsanaTask.fields, body: draft, as: AsanaTask.self)
        } catch let error as ConnectorError where error.mayHaveBeenApplied {
            if let existing = try await findTask(key: key, keyField: keyField, projects: draft.projects ?? []) { return existing }
            throw error
        }
    }

    /// The task carrying `key`, if any.
    public func findTask(key: String, keyField: String?, projects: [String]) async throws -> AsanaTask? {
        if usesOAuth { return try await task(externalKey: key) }
        guard let keyField else { return nil }
        for project in projects {
            for try await task in tasks(project: project) where task.value(of: keyField)?.text_value == key {
                return task
            }
        }
        return nil
    }

    /// Updates the given fields of a task.
    public func updateTask(gid: String, _ draft: TaskDraft) async throws -> AsanaTask {
        try await send(.PUT, "/tasks/\(gid)", fields: AsanaTask.fields, body: draft, as: AsanaTask.self)
    }

    /// Marks a task complete.
    public func completeTask(gid: String) async throws -> AsanaTask {
        try await updateTask(gid: gid, TaskDraft(completed: true))
    }

    /// The stories (comments and activity) of a task.
    public func stories(task gid: String) -> Paged<Story> {
        list("/tasks/\(gid)/stories", fields: ["text", "resource_subtype"], as: Story.self)
    }

    /// Adds a comment.
    public func addComment(task gid: String, text: String) async throws -> Story {
        try await send(.POST, "/tasks/\(gid)/stories", fields: ["text", "resource_subtype"], body: ["text": text], as: Story.self)
    }
}
