import ConnectorKit
import Foundation

/// Asana operations a user can run one by one, from the CLI or as engine jobs, described as
/// data; arguments are checked against the descriptors before any call.
public enum AsanaActions {
    /// Every action and trigger.
    public static let all: [SystemAction] = [listProjects, listTasks, listCustomFields, createProject, createTask, updateTask, completeTask, setCustomField, addComment, listUsers, taskChanged]

    static let fieldHelp = "A custom field value GID=VALUE (repeatable), converted by the field's own type."

    static let listProjects = SystemAction(ActionDescriptor(name: "list-projects", summary: "List the workspace's projects, or a team's.", safeToRepeat: true, arguments: [
        ActionArgument("team", help: "Only this team's projects (a team gid)."),
        ActionArgument("archived", .boolean, help: "true or false."),
    ])) { call in
        ActionResult("projects", try await client(call).projects(team: call.arguments["team"], archived: try call.arguments.bool("archived")).collect())
    }

    static let createProject = SystemAction(ActionDescriptor(name: "create-project", summary: "Create a project.", arguments: [
        ActionArgument("name", required: true, help: "The project's name."),
        ActionArgument("notes", help: "Notes."), ActionArgument("team", help: "The team gid."), ActionArgument("due", .day, help: "Due date, YYYY-MM-DD."),
    ])) { call in
        let arguments = call.arguments
        let draft = ProjectDraft(name: try arguments.required("name"), notes: arguments["notes"], team: arguments["team"], dueOn: try arguments.day("due"))
        return ActionResult("projects", [try await client(call).createProject(draft)])
    }

    static let createTask = SystemAction(ActionDescriptor(name: "create-task", summary: "Create a task; with --key, running it again finds the same task.", arguments: [
        ActionArgument("project", required: true, help: "The project gid."),
        ActionArgument("name", required: true, help: "The task's name."),
        ActionArgument("notes", help: "Notes."), ActionArgument("assignee", help: "A user gid, an email, or me."), ActionArgument("due", .day, help: "Due date, YYYY-MM-DD."),
        ActionArgument("field", repeatable: true, help: fieldHelp),
        ActionArgument("key", help: "Idempotency key (default: derived from project and name, so a repeat finds the same task)."),
        ActionArgument("key-field", help: "A text custom field that holds the key (needed with a personal access token)."),
    ])) { call in
        let arguments = call.arguments
        let asana = client(call)
        let project = try arguments.required("project")
        let draft = TaskDraft(name: try arguments.required("name"), notes: arguments["notes"], projects: [project], assignee: arguments["assignee"],
                              dueOn: try arguments.day("due"), customFields: try await fieldValues(arguments, client: asana))
        // A stable key: the same project and name (and notes) is the same task, whatever the attempt.
        let key = arguments["key"] ?? "cli-" + Signature.sha256Hex("\(project)|\(draft.name ?? "")|\(draft.notes ?? "")").prefix(16)
        let uncertain = arguments["key"] != nil || asana.usesOAuth || arguments["key-field"] != nil
        return ActionResult("tasks", [try await asana.createTask(draft, key: key, keyField: arguments["key-field"], previousAttemptUncertain: uncertain)])
    }

    static let updateTask = SystemAction(ActionDescriptor(name: "update-task", summary: "Change a task's name, notes, assignee, due date or fields.", safeToRepeat: true, arguments: [
        ActionArgument("task", required: true, help: "The task gid."),
        ActionArgument("name", help: "New name."), ActionArgument("notes", help: "New notes."), ActionArgument("assignee", help: "A user gid, an email, or me."),
        ActionArgument("due", .day, help: "Due date, YYYY-MM-DD."), ActionArgument("field", repeatable: true, help: fieldHelp),
    ])) { call in
        let arguments = call.arguments
        let asana = client(call)
        let draft = TaskDraft(name: arguments["name"], notes: arguments["notes"], assignee: arguments["assignee"], dueOn: try arguments.day("due"),
                              customFields: try await fieldValues(arguments, client: asana))
        return ActionResult("tasks", [try await asana.updateTask(gid: try arguments.required("task"), draft)])
    }

    static let completeTask = SystemAction(ActionDescriptor(name: "complete-task", summary: "Mark a task complete.", safeToRepeat: true, arguments: [
        ActionArgument("task", required: true, help: "The task gid."),
    ])) { call in
        ActionResult("tasks", [try await client(call).completeTask(gid: try call.arguments.required("task"))])
    }

    static let setCustomField = SystemAction(ActionDescriptor(name: "set-custom-field", summary: "Set one custom field of a task, by field GID.", safeToRepeat: true, arguments: [
        ActionArgument("task", required: true, help: "The task gid."),
        ActionArgument("field", required: true, help: "The custom field GID."),
        ActionArgument("value", required: true, help: "A number, text, date, or an enum option's gid or name."),
    ])) { call in
        let asana = client(call)
        let field = try await asana.customField(gid: try call.arguments.required("field"))
        let value = try asana.input(for: field, text: try call.arguments.required("value"))
        return ActionResult("tasks", [try await asana.updateTask(gid: try call.arguments.required("task"), TaskDraft(customFields: [field.gid: value]))])
    }

    static let addComment = SystemAction(ActionDescriptor(name: "add-comment", summary: "Add a comment (a story) to a task.", arguments: [
        ActionArgument("task", required: true, help: "The task gid."),
        ActionArgument("text", required: true, help: "The comment."),
    ])) { call in
        let asana = client(call)
        let task = try call.arguments.required("task")
        _ = try await asana.addComment(task: task, text: try call.arguments.required("text"))
        return ActionResult("tasks", [try await asana.task(gid: task)])
    }

    static let listUsers = SystemAction(ActionDescriptor(name: "list-users", summary: "List the workspace's users.", safeToRepeat: true)) { call in
        ActionResult("users", try await client(call).users().collect())
    }

    static let taskChanged = SystemAction(ActionDescriptor(name: "task-changed", summary: "A trigger: every task of a project changed since the last run.", arguments: [
        ActionArgument("project", required: true, help: "The project gid."),
    ], triggerCursor: { "trigger:task-changed:\($0["project"] ?? "")" })) { call in
        let asana = client(call)
        let page = try await AsanaEventsFeed(project: try call.arguments.required("project"), client: asana).poll(cursor: call.cursor, now: call.now)
        var tasks: [AsanaTask] = []
        for event in page.events where event.ref.type == AsanaRecord.task.rawValue {
            // The feed's crawl or batched re-read already holds the task; only thin events read it.
            if let listed = event.record(as: AsanaTask.self, currentAt: call.now) {
                tasks.append(listed)
            } else {
                // A task deleted since its event has nothing to show; any other failure (a 429, an
                // outage) fails the run, so the cursor does not move past a change it never showed.
                do {
                    tasks.append(try await asana.task(gid: event.ref.id))
                } catch ConnectorError.notFound {
                    continue
                }
            }
        }
        return ActionResult("changed_tasks", tasks, cursor: page.cursor)
    }

    static func client(_ call: ActionCall) -> AsanaClient {
        AsanaClient(pipeline: call.pipeline, connection: call.connection)
    }

    /// `--field GID=VALUE` pairs, converted by each field's own type.
    private static func fieldValues(_ arguments: ActionArguments, client: AsanaClient) async throws -> [String: CustomFieldInput]? {
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

extension Project: ActionRecord {
    public static let columns = ["GID", "NAME", "TEAM", "DUE", "ARCHIVED"]
    public var row: [String] { [gid, name, team?.name ?? "", due_on ?? "", "\(archived ?? false)"] }
    public var ref: ExternalRef { .asana(.project, gid) }
}

extension AsanaTask: ActionRecord {
    public static let columns = ["GID", "NAME", "DONE", "DUE", "ASSIGNEE", "FIELDS"]
    public var row: [String] {
        [gid, name, completed ? "yes" : "no", due_on ?? "", assignee?.name ?? "",
         (custom_fields ?? []).compactMap { field in field.display_value.map { "\(field.name ?? field.gid)=\($0)" } }.joined(separator: "; ")]
    }
    public var ref: ExternalRef { .asana(.task, gid) }
}

extension User: ActionRecord {
    public static let columns = ["GID", "NAME", "EMAIL"]
    public var row: [String] { [gid, name ?? "", email ?? ""] }
    public var ref: ExternalRef { .asana(.user, gid) }
}
