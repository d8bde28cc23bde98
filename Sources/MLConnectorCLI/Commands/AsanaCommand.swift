import ArgumentParser
import Asana
import ConnectorKit
import Flows
import Foundation
import Store

/// `ml-connector asana <action>`: one Asana operation, now or queued as a job.
struct AsanaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asana",
        abstract: "Run an Asana action: \(AsanaActions.names.joined(separator: ", ")).",
        discussion: """
        Examples:
          ml-connector asana create-task --connection asana-acme --project 1200… --name "Design review" --field 1200…=125.50
          ml-connector asana set-custom-field --connection asana-acme --task 1200… --field 1200… --value paid
          ml-connector asana task-changed --connection asana-acme --project 1200…   (one activation: every task changed since the last)
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The action.") var action: String
    @Option(help: "The Asana connection id.") var connection: String
    @Flag(help: "Queue the action as a job for a running server instead of running it now.") var queue = false
    @Option(help: "Team gid (list-projects, create-project).") var team: String?
    @Option(help: "true or false (list-projects).") var archived: String?
    @Option(help: "Name of the project or task.") var name: String?
    @Option(help: "Notes.") var notes: String?
    @Option(help: "Due date, YYYY-MM-DD.") var due: String?
    @Option(help: "Project gid.") var project: String?
    @Option(help: "Task gid.") var task: String?
    @Option(help: "Assignee: a user gid, an email, or me.") var assignee: String?
    @Option(help: "A custom field value GID=VALUE (repeatable); with set-custom-field, the field GID.") var field: [String] = []
    @Option(help: "The value for set-custom-field (a number, text, date, or an enum option's gid or name).") var value: String?
    @Option(help: "Comment text (add-comment).") var text: String?
    @Option(help: "Idempotency key of create-task: running it again finds the same task.") var key: String?
    @Option(help: "A text custom field that holds the key (needed with a personal access token).") var keyField: String?

    func validate() throws {
        guard AsanaActions.names.contains(action) else {
            throw ValidationError("'\(action)' is not an Asana action; use one of: \(AsanaActions.names.joined(separator: ", "))")
        }
    }

    var arguments: ActionArguments {
        var values: [String: String] = [:]
        for (key, value) in [("team", team), ("archived", archived), ("name", name), ("notes", notes), ("due", due), ("project", project), ("task", task),
                             ("assignee", assignee), ("value", value), ("text", text), ("key", key), ("key-field", keyField)] {
            values[key] = value
        }
        if action == "set-custom-field" { values["field"] = field.first }
        return ActionArguments(values: values, lists: action == "set-custom-field" || field.isEmpty ? [:] : ["field": field])
    }

    func run() async throws {
        let run = SystemActionRun(global: global, system: .asana, connectionID: connection, action: action, arguments: arguments, queue: queue,
                                  triggerFeed: action == "task-changed" ? "trigger:task-changed:\(project ?? "")" : nil)
        try await run.run { connection, pipeline, cursor in
            let result = try await AsanaActions(client: AsanaClient(pipeline: pipeline, connection: connection)).run(action, arguments: arguments, cursor: cursor)
            var next: String?
            if case .trigger(_, let cursor) = result { next = cursor }
            return .init(result: result, cursor: next, table: result.table)
        }
    }
}
