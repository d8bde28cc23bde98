import ConnectorKit
import Foundation

extension JiraClient {
    /// The user the credential belongs to (`myself`).
    public func myself() async throws -> JiraUser {
        try await send(.GET, "/myself", as: JiraUser.self)
    }

    /// `serverInfo`.
    public func serverInfo() async throws -> JiraServerInfo {
        try await send(.GET, "/serverInfo", as: JiraServerInfo.self)
    }

    /// Every field the caller can see; custom ones are `customfield_NNNNN` (digest 3.3).
    public func fields() async throws -> [JiraField] {
        try await send(.GET, "/field", as: [JiraField].self)
    }

    /// The field a configuration names, by id (`customfield_10050`, `labels`) or by name, checked
    /// live; the error lists what there is.
    public func field(named reference: String) async throws -> JiraField {
        let all = try await fields()
        if let byID = all.first(where: { $0.id == reference }) { return byID }
        let byName = all.filter { $0.name.caseInsensitiveCompare(reference) == .orderedSame }
        guard byName.count == 1 else {
            let custom = all.filter(\.custom).map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
            throw ConnectorError.validation(field: reference, message: byName.isEmpty
                ? "this Jira site has no field named or with id '\(reference)'; its custom fields are: \(custom)"
                : "several Jira fields are named '\(reference)'; use the id: " + byName.map(\.id).joined(separator: ", "))
        }
        return byName[0]
    }

    /// The input a text value makes for a field, by the field's type.
    public func input(for field: JiraField, text: String) throws -> JiraFieldInput {
        if field.takesDocument { return .document(JiraDocument(text: text)) }
        switch field.schema?.type {
        case "number": return .number(try Money.decimal(parsing: text, field: field.id))
        case "option": return .option(text)
        default: return .text(text)
        }
    }

    /// Users whose name or email matches `query`.
    public func users(matching query: String) async throws -> [JiraUser] {
        try await send(.GET, "/user/search", query: [("query", query)], as: [JiraUser].self)
    }

    /// The projects the caller can see.
    public func projects() -> Paged<JiraProject> {
        struct Page: Decodable {
            var values: [JiraProject]
            var isLast: Bool?
        }
        return Paged.positions(pageSize: 50) { [self] start, count in
            try await send(.GET, "/project/search", query: [("startAt", String(start)), ("maxResults", String(count))], as: Page.self).values
        }
    }

    /// The issue types of the site.
    public func issueTypes() async throws -> [JiraIssueType] {
        try await send(.GET, "/issuetype", as: [JiraIssueType].self)
    }

    /// The sites an OAuth token reaches, each with its cloud id (digest 3.1).
    public func accessibleResources() async throws -> [JiraSite] {
        var request = OutboundRequest(method: .GET, url: try connection.baseURL("gateway", provider: shell.provider) + "/oauth/token/accessible-resources")
        request.headers.add(name: "Accept", value: "application/json")
        return try await pipeline.send(request, connection: connection, provider: shell.provider).decode([JiraSite].self)
    }
}
