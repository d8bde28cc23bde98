import ConnectorKit
import Foundation

/// Asana operations a user can run one by one, from the CLI or as engine jobs; every bad
/// argument is refused naming its flag.
public struct AsanaActions: Sendable {
    /// The client to act through.
    public let client: AsanaClient

    /// Creates the action runner.
    public init(client: AsanaClient) {
        self.client = client
    }

    /// The actions, by name.
    public static let names = ["list-projects", "create-project", "create-task", "update-task", "complete-task", "set-custom-field", "add-comment", "list-users", "task-changed"]

    /// Runs action `name`.
    public func run(_ name: String, arguments: ActionArguments, cursor: String? = nil, now: Date = Date()) async throws -> AsanaActionResult {
        switch name {
        case "list-projects":
            return .projects(try await client.projects(team: arguments["team"], archived: try arguments.bool("archived")).collect())
        case "create-project":
            return .projects([try await client.createProject(ProjectDraft(name: try arguments.required("name"), notes: arguments["notes"], team: arguments["team"], dueOn: try arguments.day("due")))])
        case "create-task":
            let project = try arguments.required("project")
            let draft = TaskDraft(name: try arguments.required("name"), notes: arguments["notes"], projects: [project], assignee: arguments["assignee"],
                                  dueOn: try arguments.day("due"), customFields: try await fieldValues(arguments))
            let key = arguments["key"] ?? "cli-" + Signature.sha256Hex("\(project)|\(draft.name ?? "")|\(now.timeIntervalSince1970)").prefix(16)
            return .tasks([try await client.createTask(draft, key: key, keyField: arguments["key-field"], previousAttemptUncertain: arguments["key"] != nil)])
        case "update-task":
            let draft = TaskDraft(name: arguments["name"], notes: arguments["notes"], assignee: arguments["assignee"], dueOn: try arguments.day("due"),
                                  customFields: try await fieldValues(arguments))
            return .tasks([try await client.updateTask(gid: try arguments.required("task"), draft)])
        case "complete-task":
            return .tasks([try await client.completeTask(gid: try arguments.required("task"))])
        case "set-custom-field":
            let field = try await client.customField(gid: try arguments.required("field"))
            let value = try client.input(for: field, text: try arguments.required("value"))
            return .tasks([try await client.updateTask(gid: try arguments.required("task"), TaskDraft(customFields: [field.gid: value]))])
        case "add-comment":
            _ = try await client.addComment(task: try arguments.required("task"), text: try arguments.required("text"))
            return .tasks([try await client.task(gid: try arguments.required("task"))])
        case "list-users":
            return .users(try await client.users().collect())
        case "task-changed":
            let page = try await AsanaEventsFeed(project: try arguments.required("project"), client: client).poll(cursor: cursor, now: now)
            var tasks: [AsanaTask] = []
            for event in page.events where event.ref.type == "task" {
                if let task = try? await client.task(gid: event.ref.id) { tasks.append(task) }
            }
            return .trigger(tasks: tasks, cursor: page.cursor)
        default:
            throw ConnectorError.validation(field: "action", message: "'\(name)' is not an Asana action; use one of: \(Self.names.joined(separator: ", "))")
        }
    }

    /// `--field GID=VALUE` pairs, converted by each field's own type.
    private func fieldValues(_ arguments: ActionArguments) async throws -> [String: CustomFieldInput]? {
        let pairs = arguments.lists["field"] ?? []
        guard !pairs.isEmpty else { return nil }
        var values: [String: CustomFieldInput] = [:]
        for (index, pair) in pairs.enumerated() {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ConnectorError.validation(field: "--field[\(index)]", message: "'\(pair)' must be GID=VALUE") }
            let field = try await client.customField(gid: parts[0])
            values[field.gid] = try client.input(for: field, text: parts[1])
        }
        return values
    }
}

/// What an Asana action produced.
public enum AsanaActionResult: Sendable, Encodable {
    case projects([Project])
    case tasks([AsanaTask])
    case users([User])
    /// One activation of the trigger: every task changed since the last, and the new cursor.
    case trigger(tasks: [AsanaTask], cursor: String)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .projects(let projects): try container.encode(["projects": projects])
        case .tasks(let tasks): try container.encode(["tasks": tasks])
        case .users(let users): try container.encode(["users": users])
        case .trigger(let tasks, _): try container.encode(["changed_tasks": tasks])
        }
    }

    /// The first record written or read, for the audit trail.
    public var firstRef: String? {
        switch self {
        case .projects(let projects): projects.first.map { "asana:project:\($0.gid)" }
        case .tasks(let tasks), .trigger(let tasks, _): tasks.first.map { "asana:task:\($0.gid)" }
        case .users(let users): users.first.map { "asana:user:\($0.gid)" }
        }
    }

    /// Rows for a table.
    public var table: (headers: [String], rows: [[String]]) {
        switch self {
        case .projects(let projects):
            (["GID", "NAME", "TEAM", "DUE", "ARCHIVED"], projects.map { [$0.gid, $0.name, $0.team?.name ?? "", $0.due_on ?? "", "\($0.archived ?? false)"] })
        case .tasks(let tasks), .trigger(let tasks, _):
            (["GID", "NAME", "DONE", "DUE", "ASSIGNEE", "FIELDS"], tasks.map { task in
                [task.gid, task.name, task.completed ? "yes" : "no", task.due_on ?? "", task.assignee?.name ?? "",
                 (task.custom_fields ?? []).compactMap { field in field.display_value.map { "\(field.name ?? field.gid)=\($0)" } }.joined(separator: "; ")]
            })
        case .users(let users):
            (["GID", "NAME", "EMAIL"], users.map { [$0.gid, $0.name ?? "", $0.email ?? ""] })
        }
    }
}
