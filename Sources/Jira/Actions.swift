import ConnectorKit
import Foundation

/// Jira operations a user can run one by one, from the CLI or as engine jobs, described as
/// data; arguments are checked against the descriptors before any call.
public enum JiraActions {
    /// Every action and trigger.
    public static let all: [SystemAction] = [createIssue, editIssue, transition, addWorklog, findUser, search, listFields, issueChanged]

    static let fieldHelp = "A field NAME-OR-ID=VALUE (repeatable), e.g. Amount=12.50 or customfield_10050=12.50, converted by the field's own type."

    static let createIssue = SystemAction(ActionDescriptor(name: "create-issue", summary: "Create an issue; running it again with the same --key finds the same issue.", arguments: [
        ActionArgument("project", help: "The project key (default: the connection's project)."),
        ActionArgument("type", required: true, help: "The issue type, by name or id (e.g. Task)."),
        ActionArgument("summary", required: true, help: "One line."),
        ActionArgument("description", help: "Text; sent as an Atlassian document."),
        ActionArgument("label", repeatable: true, help: "A label (no spaces; repeatable)."),
        ActionArgument("parent", help: "The parent issue's key (an epic)."),
        ActionArgument("assignee", help: "An account id or an email."),
        ActionArgument("due", .day, help: "Due date, YYYY-MM-DD."),
        ActionArgument("field", repeatable: true, help: fieldHelp),
        ActionArgument("key", help: "Idempotency key, carried as the label mlc-<key> (default: derived from project, type and summary)."),
    ])) { call in
        let arguments = call.arguments
        let jira = client(call)
        let project = try arguments["project"] ?? call.connection.requiredSetting(.jiraProject, fix: "pass --project KEY")
        var draft = IssueDraft(project: project, issueType: try arguments.required("type"), summary: try arguments.required("summary"),
                               description: arguments["description"].map(JiraDocument.init(text:)), labels: arguments.lists["label"],
                               parent: arguments["parent"], assignee: try await accountID(arguments["assignee"], client: jira), dueDate: try arguments.day("due"))
        draft.custom = try await fieldValues(arguments, client: jira)
        // A stable key: the same project, type and summary is the same issue, whatever the attempt.
        let key = arguments["key"] ?? "cli-" + Signature.sha256Hex("\(project)|\(draft.issueType ?? "")|\(draft.summary ?? "")").prefix(16)
        return ActionResult("issues", [try await jira.createIssue(draft, key: key, previousAttemptUncertain: true)])
    }

    static let editIssue = SystemAction(ActionDescriptor(name: "edit-issue", summary: "Change an issue's summary, description, labels, assignee, due date or fields.", arguments: [
        ActionArgument("issue", required: true, help: "The issue key or id."),
        ActionArgument("summary", help: "New summary."), ActionArgument("description", help: "New description (text)."),
        ActionArgument("add-label", repeatable: true, help: "A label to add."), ActionArgument("remove-label", repeatable: true, help: "A label to remove."),
        ActionArgument("assignee", help: "An account id or an email."), ActionArgument("due", .day, help: "Due date, YYYY-MM-DD."),
        ActionArgument("field", repeatable: true, help: fieldHelp),
    ])) { call in
        let arguments = call.arguments
        let jira = client(call)
        let issue = try arguments.required("issue")
        let draft = IssueDraft(summary: arguments["summary"], description: arguments["description"].map(JiraDocument.init(text:)),
                               assignee: try await accountID(arguments["assignee"], client: jira), dueDate: try arguments.day("due"),
                               custom: try await fieldValues(arguments, client: jira))
        try await jira.editIssue(issue, draft, addLabels: arguments.lists["add-label"] ?? [], removeLabels: arguments.lists["remove-label"] ?? [])
        return ActionResult("issues", [try await jira.issue(issue)])
    }

    static let transition = SystemAction(ActionDescriptor(name: "transition", summary: "Move an issue through its workflow.", arguments: [
        ActionArgument("issue", required: true, help: "The issue key or id."),
        ActionArgument("to", required: true, help: "A transition id or name, or the status it leads to (e.g. Done)."),
    ])) { call in
        let jira = client(call)
        let issue = try call.arguments.required("issue")
        try await jira.transition(issue, to: try call.arguments.required("to"))
        return ActionResult("issues", [try await jira.issue(issue)])
    }

    static let addWorklog = SystemAction(ActionDescriptor(name: "add-worklog", summary: "Log time on an issue.", arguments: [
        ActionArgument("issue", required: true, help: "The issue key or id."),
        ActionArgument("seconds", .integer, required: true, help: "Time spent, in seconds."),
        ActionArgument("started", help: "When the work started, ISO 8601 (default: now)."),
        ActionArgument("comment", help: "A comment (text)."),
    ])) { call in
        let arguments = call.arguments
        var started = call.now
        if let text = arguments["started"] {
            guard let parsed = ISO8601DateFormatter().vendorDate(from: text) ?? JiraTime.parse(text) else {
                throw ConnectorError.validation(field: "--started", message: "--started must be ISO 8601 such as 2026-04-01T09:00:00Z, got '\(text)'")
            }
            started = parsed
        }
        // Jira refuses no time at all; say so before the call (1e20 is not a whole number already).
        let seconds = try arguments.requiredInt("seconds")
        guard seconds > 0 else { throw ConnectorError.validation(field: "--seconds", message: "--seconds must be more than 0, got \(seconds)") }
        let worklog = try await client(call).addWorklog(issue: try arguments.required("issue"), WorklogDraft(started: started, timeSpentSeconds: seconds,
                                                                                                           comment: arguments["comment"].map(JiraDocument.init(text:))))
        return ActionResult("worklogs", [worklog])
    }

    static let findUser = SystemAction(ActionDescriptor(name: "find-user", summary: "Find users by email or name.", arguments: [
        ActionArgument("email", required: true, help: "An email (or the start of a name)."),
    ])) { call in
        ActionResult("users", try await client(call).users(matching: try call.arguments.required("email")))
    }

    static let search = SystemAction(ActionDescriptor(name: "search", summary: "Issues matching a JQL query.", arguments: [
        ActionArgument("jql", required: true, help: "A bounded JQL query, e.g. project = MLC ORDER BY updated DESC."),
        ActionArgument("limit", .integer, help: "At most this many issues (default 100)."),
    ])) { call in
        let limit = try call.arguments.int("limit") ?? 100
        guard limit > 0 else { throw ConnectorError.validation(field: "--limit", message: "--limit must be more than 0, got \(limit)") }
        var found: [JiraIssue] = []
        // Pages no larger than the limit asks for; Jira caps a page of issues with fields at 100.
        for try await issue in client(call).search(jql: try call.arguments.required("jql"), pageSize: min(limit, 100)) {
            found.append(issue)
            if found.count >= limit { break }
        }
        return ActionResult("issues", found)
    }

    static let listFields = SystemAction(ActionDescriptor(name: "list-fields", summary: "The site's fields, custom ones with their customfield ids.")) { call in
        ActionResult("fields", try await client(call).fields())
    }

    static let issueChanged = SystemAction(ActionDescriptor(name: "issue-changed", summary: "A trigger: every issue changed since the last run.", arguments: [
        ActionArgument("project", help: "Only this project (a key)."),
    ], triggerCursor: { "trigger:issue-changed:\($0["project"] ?? "")" })) { call in
        let jira = client(call)
        let page = try await JiraIssueFeed(client: jira, project: call.arguments["project"] ?? call.connection[setting: .jiraProject]).poll(cursor: call.cursor, now: call.now)
        let ids = page.events.map(\.ref.id)
        var issues: [JiraIssue] = []
        if !ids.isEmpty { issues = try await jira.search(jql: "id in (\(ids.joined(separator: ",")))").collect() }
        return ActionResult("changed_issues", issues, cursor: page.cursor)
    }

    private static func client(_ call: ActionCall) -> JiraClient {
        JiraClient(pipeline: call.pipeline, connection: call.connection)
    }

    /// An account id as given, or the one user an email finds.
    private static func accountID(_ reference: String?, client: JiraClient) async throws -> String? {
        guard let reference, reference.contains("@") else { return reference }
        let users = try await client.users(matching: reference).filter { $0.emailAddress?.caseInsensitiveCompare(reference) == .orderedSame }
        guard users.count == 1 else { throw ConnectorError.validation(field: "--assignee", message: "no single Jira user has the email \(reference)") }
        return users[0].accountId
    }

    /// `--field NAME-OR-ID=VALUE` pairs, converted by each field's own type.
    private static func fieldValues(_ arguments: ActionArguments, client: JiraClient) async throws -> [String: JiraFieldInput] {
        var values: [String: JiraFieldInput] = [:]
        for (index, pair) in (arguments.lists["field"] ?? []).enumerated() {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ConnectorError.validation(field: "--field[\(index)]", message: "'\(pair)' must be NAME-OR-ID=VALUE") }
            let field = try await client.field(named: parts[0])
            values[field.id] = try client.input(for: field, text: parts[1])
        }
        return values
    }
}

extension JiraIssue: ActionRecord {
    public static let columns = ["KEY", "ID", "TYPE", "STATUS", "SUMMARY", "LABELS"]
    public var row: [String] {
        [key, id, fields?.issuetype?.name ?? "", fields?.status?.name ?? "", fields?.summary ?? "", (fields?.labels ?? []).joined(separator: ",")]
    }
    public var ref: ExternalRef { .jira(.issue, id) }
}

extension JiraWorklog: ActionRecord {
    public static let columns = ["ID", "ISSUE", "STARTED", "SECONDS"]
    public var row: [String] { [id, issueId, JiraTime.format(started), String(timeSpentSeconds)] }
    public var ref: ExternalRef { .jira(.worklog, id) }
}

extension JiraUser: ActionRecord {
    public static let columns = ["ACCOUNT", "NAME", "EMAIL"]
    public var row: [String] { [accountId, displayName ?? "", emailAddress ?? ""] }
    public var ref: ExternalRef { .jira(.user, accountId) }
}

extension JiraField: ActionRecord {
    public static let columns = ["ID", "NAME", "TYPE", "CUSTOM"]
    public var row: [String] { [id, name, schema?.custom ?? schema?.type ?? "", custom ? "yes" : "no"] }
    public var ref: ExternalRef { .jira(.field, id) }
}
