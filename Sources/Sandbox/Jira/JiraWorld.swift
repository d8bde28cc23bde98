import Foundation

/// Everything the Jira sandbox knows: one Cloud site (a cloud id, a project, issue types, users,
/// custom fields), its issues with their comments and worklogs, webhooks, and a clock that can
/// be moved forward to expire what lives 30 days.
struct JiraWorld: Sendable {
    /// One stored issue and what search has indexed of it.
    struct Issue: Sendable {
        var id: Int
        var key: String
        var fields: [String: JSONValue]
        var comments: [JSONValue] = []
        var properties: [String: JSONValue] = [:]
        var created: Date
        var updated: Date
        /// What search sees and since when: search is eventually consistent (digest 3.4).
        var indexed: [(at: Date, fields: [String: JSONValue])] = []
    }

    /// One worklog on an issue.
    struct Worklog: Sendable {
        var id: Int
        var issueID: Int
        var author: String
        var started: String
        var timeSpentSeconds: Int
        var comment: JSONValue?
        var created: Date
        var updated: Date
    }

    /// A dynamic webhook (OAuth apps, digest 3.7) or an admin webhook (no expiry, a secret).
    struct Webhook: Sendable {
        var id: Int
        var url: String
        var events: [String]
        var jqlFilter: String
        var fieldIdsFilter: [String]?
        /// Nil for admin webhooks, which never expire.
        var expiresAt: Date?
        /// Admin webhooks: the HMAC secret; dynamic ones are signed with the app's client secret.
        var secret: String?
        var name: String?
    }

    var configuration: JiraSandbox.Configuration
    let cloudID = "11223344-a1b2-4c3d-9e8f-5a6b7c8d9e0f"
    let projectID = 10000
    var projectKey: String { configuration.projectKey }
    var users: [JSONValue] = []
    /// Basic credentials: email → API token.
    var apiTokens: [String: String] = [:]
    var issueTypes: [JSONValue] = []
    var fields: [JSONValue] = []
    var issues: [Int: Issue] = [:]
    var worklogs: [Int: Worklog] = [:]
    var webhooks: [Int: Webhook] = [:]
    /// Seconds the sandbox clock runs ahead of the wall clock.
    var clockOffset: TimeInterval = 0
    /// How long a write takes to reach search.
    var searchLag: TimeInterval
    var nextIssueID = 10000
    var nextIssueNumber = 1
    var nextWorklogID = 20000
    var nextCommentID = 30000
    var nextWebhookID = 1000

    /// The statuses of the seeded workflow and the transitions into them (all global).
    static let statuses: [(id: String, name: String, category: (Int, String, String), transition: String)] = [
        ("10000", "To Do", (2, "new", "To Do"), "11"), ("10001", "In Progress", (4, "indeterminate", "In Progress"), "21"),
        ("10002", "Done", (3, "done", "Done"), "31"),
    ]

    init(configuration: JiraSandbox.Configuration) {
        self.configuration = configuration
        searchLag = configuration.searchLag.seconds
        let people = [("Avery Owner", "avery@sandbox-agency.test"), ("Blake Designer", "blake@sandbox-agency.test"), ("Casey Developer", "casey@sandbox-agency.test")]
        for (index, person) in people.enumerated() {
            users.append(.object([
                "accountId": .string("712020:0000000\(index + 1)-aaaa-bbbb-cccc-00000000000\(index + 1)"), "accountType": .string("atlassian"),
                "displayName": .string(person.0), "emailAddress": .string(person.1), "active": .bool(true), "timeZone": .string(configuration.timeZone),
                "locale": .string("en_US"),
            ]))
        }
        apiTokens[people[0].1] = configuration.apiToken
        for (index, name) in configuration.issueTypes.enumerated() {
            issueTypes.append(.object([
                "id": .string(String(10001 + index)), "name": .string(name), "description": .string(""), "subtask": .bool(false),
                "hierarchyLevel": .int(name == "Epic" ? 1 : 0), "avatarId": .int(10300 + index),
            ]))
        }
        fields = Self.systemFields + [
            Self.customField(10050, "Amount", type: "number", plugin: "float"),
            Self.customField(10051, "Source reference", type: "string", plugin: "textfield"),
            Self.customField(10052, "Notes", type: "string", plugin: "textarea"),
        ]
    }

    /// Now on the sandbox clock.
    var now: Date { Date().addingTimeInterval(clockOffset) }

    /// The user whose email is `email`, or the first (the app's user).
    func user(email: String?) -> JSONValue {
        users.first { $0["emailAddress"]?.text == email } ?? users[0]
    }

    /// A user by account id.
    func user(accountID: String) -> JSONValue? {
        users.first { $0["accountId"]?.text == accountID }
    }

    /// The field definition by id.
    func field(_ id: String) -> JSONValue? {
        fields.first { $0["id"]?.text == id }
    }

    /// An issue by id or key.
    func issue(_ idOrKey: String) -> Issue? {
        if let id = Int(idOrKey) { return issues[id] }
        return issues.values.first { $0.key.caseInsensitiveCompare(idOrKey) == .orderedSame }
    }

    /// `2026-04-01T10:00:00.000-0700`, in the site user's time zone, as Jira writes times.
    func timestamp(_ date: Date) -> String {
        WireTime.format(date, "yyyy-MM-dd'T'HH:mm:ss.SSSZ", timeZone: configuration.timeZone)
    }

    static let systemFields: [JSONValue] = ([
        ("summary", "Summary", "string", nil), ("description", "Description", "string", nil), ("labels", "Labels", "array", "string"),
        ("issuetype", "Issue Type", "issuetype", nil), ("project", "Project", "project", nil), ("status", "Status", "status", nil),
        ("assignee", "Assignee", "user", nil), ("reporter", "Reporter", "user", nil), ("parent", "Parent", "issuelink", nil),
        ("created", "Created", "datetime", nil), ("updated", "Updated", "datetime", nil), ("duedate", "Due date", "date", nil),
        ("comment", "Comment", "comments-page", nil),
    ] as [(String, String, String, String?)]).map { id, name, type, items in
        var schema: [String: JSONValue] = ["type": .string(type), "system": .string(id)]
        if let items { schema["items"] = .string(items) }
        return .object([
            "id": .string(id), "key": .string(id), "name": .string(name), "custom": .bool(false), "orderable": .bool(true), "navigable": .bool(true),
            "searchable": .bool(true), "clauseNames": .array([.string(id == "issuetype" ? "type" : id)]), "schema": .object(schema),
        ])
    }

    static func customField(_ number: Int, _ name: String, type: String, plugin: String) -> JSONValue {
        .object([
            "id": .string("customfield_\(number)"), "key": .string("customfield_\(number)"), "name": .string(name), "custom": .bool(true),
            "orderable": .bool(true), "navigable": .bool(true), "searchable": .bool(true),
            "clauseNames": .array([.string("cf[\(number)]"), .string(name)]),
            "schema": .object(["type": .string(type), "custom": .string("com.atlassian.jira.plugin.system.customfieldtypes:\(plugin)"), "customId": .int(number)]),
        ])
    }
}

extension Duration {
    /// In seconds.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
