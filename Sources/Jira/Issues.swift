import ConnectorKit
import Foundation

/// A value for one field of an issue, by the field's type (digest 3.3): a number, a one-line
/// string, a document for multi-line text, a select option by value, or cleared.
public enum JiraFieldInput: Encodable, Sendable, Equatable {
    case number(Decimal)
    case text(String)
    case document(JiraDocument)
    case option(String)
    case clear

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .document(let value): try container.encode(value)
        case .option(let value): try container.encode(["value": value])
        case .clear: try container.encodeNil()
        }
    }
}

/// What creating or editing an issue sends as `fields`; nil fields are left out.
public struct IssueDraft: Encodable, Sendable, Equatable {
    /// The project key.
    public var project: String?
    /// The issue type, by name or id.
    public var issueType: String?
    public var summary: String?
    public var description: JiraDocument?
    public var labels: [String]?
    /// The parent issue's key (an epic, or the parent of a sub-task).
    public var parent: String?
    /// Account ids (Jira identifies people by `accountId` only).
    public var assignee: String?
    public var reporter: String?
    /// `yyyy-MM-dd`.
    public var dueDate: String?
    /// Custom fields by id (`customfield_10050`), discovered per site.
    public var custom: [String: JiraFieldInput]

    /// Creates a draft.
    public init(project: String? = nil, issueType: String? = nil, summary: String? = nil, description: JiraDocument? = nil, labels: [String]? = nil,
                parent: String? = nil, assignee: String? = nil, reporter: String? = nil, dueDate: String? = nil, custom: [String: JiraFieldInput] = [:]) {
        self.project = project
        self.issueType = issueType
        self.summary = summary
        self.description = description
        self.labels = labels
        self.parent = parent
        self.assignee = assignee
        self.reporter = reporter
        self.dueDate = dueDate
        self.custom = custom
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        func put(_ key: String, _ value: (some Encodable)?) throws {
            if let value { try container.encode(value, forKey: AnyKey(key)) }
        }
        try put("project", project.map { ["key": $0] })
        try put("issuetype", issueType.map { $0.allSatisfy(\.isNumber) ? ["id": $0] : ["name": $0] })
        try put("summary", summary)
        try put("description", description)
        try put("labels", labels)
        try put("parent", parent.map { ["key": $0] })
        try put("assignee", assignee.map { ["accountId": $0] })
        try put("reporter", reporter.map { ["accountId": $0] })
        try put("duedate", dueDate)
        for (id, value) in custom.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: AnyKey(id)) }
    }
}

/// `{"fields": …, "update": …}`, the body of a create or an edit (`IssueUpdateDetails`).
struct IssueUpdateBody: Encodable, Sendable {
    var fields: IssueDraft
    var update: [String: [[String: String]]]?
}

extension JiraIssue {
    /// The fields the client reads, so that a search page needs no per-issue re-read.
    public static let fields = ["summary", "description", "labels", "issuetype", "project", "status", "assignee", "reporter", "parent", "duedate", "created", "updated"]
}

extension JiraClient {
    /// One issue with the standard fields and `custom` ones.
    public func issue(_ idOrKey: String, custom: [String] = []) async throws -> JiraIssue {
        try await send(.GET, "/issue/\(idOrKey)", query: [("fields", (JiraIssue.fields + custom).joined(separator: ","))], as: JiraIssue.self)
    }

    /// Changes the given fields; `addLabels`/`removeLabels` edit labels without replacing them.
    public func editIssue(_ idOrKey: String, _ draft: IssueDraft, addLabels: [String] = [], removeLabels: [String] = []) async throws {
        let operations = addLabels.map { ["add": $0] } + removeLabels.map { ["remove": $0] }
        try await call(.PUT, "/issue/\(idOrKey)", body: IssueUpdateBody(fields: draft, update: operations.isEmpty ? nil : ["labels": operations]))
    }

    /// Deletes an issue.
    public func deleteIssue(_ idOrKey: String) async throws {
        try await call(.DELETE, "/issue/\(idOrKey)")
    }

    /// Adds a comment (ADF).
    public func addComment(_ idOrKey: String, _ body: JiraDocument) async throws {
        struct Comment: Encodable, Sendable { var body: JiraDocument }
        try await call(.POST, "/issue/\(idOrKey)/comment", body: Comment(body: body))
    }

    /// The transitions the issue may take now.
    public func transitions(_ idOrKey: String) async throws -> [JiraTransition] {
        struct Body: Decodable { var transitions: [JiraTransition] }
        return try await send(.GET, "/issue/\(idOrKey)/transitions", as: Body.self).transitions
    }

    /// Moves an issue by a transition named by id, by its name, or by the status it leads to.
    @discardableResult
    public func transition(_ idOrKey: String, to wanted: String) async throws -> JiraTransition {
        let available = try await transitions(idOrKey)
        guard let chosen = available.first(where: { $0.id == wanted || $0.name.caseInsensitiveCompare(wanted) == .orderedSame || $0.to?.name?.caseInsensitiveCompare(wanted) == .orderedSame }) else {
            throw ConnectorError.validation(field: "--to", message: "\(idOrKey) cannot move to '\(wanted)' now; it can take: \(available.map { "\($0.name) (\($0.id))" }.joined(separator: ", "))")
        }
        struct Body: Encodable, Sendable { var transition: [String: String] }
        try await call(.POST, "/issue/\(idOrKey)/transitions", body: Body(transition: ["id": chosen.id]))
        return chosen
    }

    /// Issues matching `jql`, page by page by `nextPageToken` (digest 3.4), each with `fields`
    /// so no issue needs a second read.
    public func search(jql: String, fields: [String] = JiraIssue.fields, pageSize: Int = 100) -> Paged<JiraIssue> {
        struct Page: Decodable {
            var issues: [JiraIssue]
            var nextPageToken: String?
        }
        return Paged.tokens { [self] token in
            var query = [("jql", jql), ("fields", fields.joined(separator: ",")), ("maxResults", String(pageSize))]
            if let token { query.append(("nextPageToken", token)) }
            let page = try await send(.GET, "/search/jql", query: query, as: Page.self)
            return (page.issues, page.nextPageToken)
        }
    }
}
