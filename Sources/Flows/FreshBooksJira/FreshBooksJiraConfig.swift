import ConnectorKit
import Foundation

/// The FreshBooks → Jira integration as its user declares it in YAML: which project, which
/// issue type each finance event becomes, the amount field by name, where time is logged, and
/// what rollback does where deleting an issue is not allowed.
public struct FreshBooksJiraConfig: IntegrationConfiguration, Equatable {
    public var name: String
    public var kind: String
    public var tenant: String?
    public var connections: Connections
    public var schedule: PollSchedule?
    public var jira: JiraSide
    public var worklogs: Worklogs?
    public var rollback: Rollback?

    /// The connection ids by side.
    public struct Connections: Codable, Sendable, Equatable {
        public var freshbooks: String
        public var jira: String
    }

    /// Where issues go and how they look.
    public struct JiraSide: Codable, Sendable, Equatable {
        /// The project key (`FIN`).
        public var project: String
        /// Issue type names by finance event (`invoice`, `bill`, `payment_received`, `payment_failed`, `refund`, `expense`).
        public var issue_types: [String: String]
        /// The number custom field the amount goes in, by name or id; checked live.
        public var amount_field: String?
        /// FreshBooks client id → the epic its issues are filed under.
        public var client_epics: [String: String]?
        /// A Jira dynamic webhook on the project (OAuth connections), kept alive by the upkeep,
        /// tells when a tracking issue is deleted in Jira: its link is dropped, so a replay makes it again.
        public var notice_deleted: Bool?
    }

    /// Where time entries are logged: an issue key in the entry's note wins, then the entry's
    /// FreshBooks project's epic, then the default issue.
    public struct Worklogs: Codable, Sendable, Equatable {
        /// FreshBooks project id → issue key.
        public var project_issues: [String: String]?
        public var default_issue: String?

        /// Names the issues time is logged on.
        public init(project_issues: [String: String]?, default_issue: String?) {
            self.project_issues = project_issues
            self.default_issue = default_issue
        }
    }

    /// What `rollback` does to an issue: delete it (default) or move it to `transition_to`.
    public struct Rollback: Codable, Sendable, Equatable {
        public var transition_to: String?
    }

    /// The kind this configuration declares.
    public static let kind = "freshbooks-jira"

    /// Checks everything that can be checked without calling the systems; the first problem
    /// is an error naming its key and the fix.
    public func validateShape() throws {
        func fail(_ key: String, _ message: String) -> ConnectorError { .validation(field: key, message: message) }
        try Identifier.validate(name, field: "name")
        guard kind == Self.kind else { throw fail("kind", "'\(kind)' is not \(Self.kind)") }
        if let tenant { try Identifier.validate(tenant, field: "tenant") }
        _ = try pollInterval()
        guard FreshBooksJiraMapping.isProjectKey(jira.project) else { throw fail("jira.project", "'\(jira.project)' is not a Jira project key (2-10 capital letters or digits, starting with a letter)") }
        for event in FreshBooksJiraMapping.FinanceKind.allCases where (jira.issue_types[event.rawValue] ?? "").isEmpty {
            throw fail("jira.issue_types.\(event.rawValue)", "is required: the name of the Jira issue type a FreshBooks \(event.phrase) becomes")
        }
        for key in jira.issue_types.keys.sorted() where FreshBooksJiraMapping.FinanceKind(rawValue: key) == nil {
            throw fail("jira.issue_types.\(key)", "'\(key)' is not a finance event; use \(FreshBooksJiraMapping.FinanceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let field = jira.amount_field, field.isEmpty || field.count > 255 { throw fail("jira.amount_field", "give the field's name or id (up to 255 characters)") }
        for (client, epic) in (jira.client_epics ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard Int(client) != nil else { throw fail("jira.client_epics.\(client)", "'\(client)' is not a FreshBooks client id (digits only)") }
            guard FreshBooksJiraMapping.isIssueKey(epic) else { throw fail("jira.client_epics.\(client)", "'\(epic)' is not an issue key such as FIN-12") }
        }
        for (project, issue) in (worklogs?.project_issues ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard Int(project) != nil else { throw fail("worklogs.project_issues.\(project)", "'\(project)' is not a FreshBooks project id (digits only)") }
            guard FreshBooksJiraMapping.isIssueKey(issue) else { throw fail("worklogs.project_issues.\(project)", "'\(issue)' is not an issue key such as FIN-12") }
        }
        if let issue = worklogs?.default_issue, !FreshBooksJiraMapping.isIssueKey(issue) {
            throw fail("worklogs.default_issue", "'\(issue)' is not an issue key such as FIN-12")
        }
        if let status = rollback?.transition_to, status.isEmpty || status.count > 255 { throw fail("rollback.transition_to", "give a status name, or leave it out to delete") }
    }

    /// The poll interval (5 minutes unless set).
    public func pollInterval() throws -> Duration {
        try ConfigurationYAML.interval(schedule?.poll, field: "schedule.poll")
    }

    /// Connection ids by role.
    public var connectionIDs: [String: String] { ["freshbooks": connections.freshbooks, "jira": connections.jira] }

    /// Every issue key the configuration names, with its key path (checked live).
    public var namedIssues: [(key: String, issue: String)] {
        var named = (jira.client_epics ?? [:]).sorted { $0.key < $1.key }.map { ("jira.client_epics.\($0.key)", $0.value) }
        named += (worklogs?.project_issues ?? [:]).sorted { $0.key < $1.key }.map { ("worklogs.project_issues.\($0.key)", $0.value) }
        if let issue = worklogs?.default_issue { named.append(("worklogs.default_issue", issue)) }
        return named
    }
}
