import Foundation

/// Reading an `IssueUpdateDetails` body into an issue's fields, and showing an issue as
/// `IssueBean` with the fields asked for (digest 3.3).
extension JiraWorld {
    /// Lays `input` (`fields`) and `update` operations over `stored`; throws a 400 naming the field.
    func apply(fields input: [String: JSONValue], update: [String: JSONValue], to stored: [String: JSONValue], version: Int, creating: Bool) throws(JiraRefusal) -> [String: JSONValue] {
        var fields = stored
        for (name, value) in input.sorted(by: { $0.key < $1.key }) {
            fields[name] = try accept(name, value, version: version)
        }
        if let operations = update["labels"]?.array {
            var labels = (fields["labels"]?.array ?? []).compactMap(\.text)
            for operation in operations {
                if let add = operation["add"]?.text, !labels.contains(add) { labels.append(add) }
                if let remove = operation["remove"]?.text { labels.removeAll { $0 == remove } }
                if let set = operation["set"]?.array { labels = set.compactMap(\.text) }
            }
            fields["labels"] = try accept("labels", .array(labels.map { .string($0) }), version: version)
        }
        if creating {
            if fields["project"] == nil { throw JiraSandbox.fieldError("project", "Specify a valid project ID or key") }
            if fields["issuetype"] == nil { throw JiraSandbox.fieldError("issuetype", "Specify an issue type") }
            if (fields["summary"]?.text ?? "").isEmpty { throw JiraSandbox.fieldError("summary", "You must specify a summary of the issue.") }
            if fields["status"] == nil { fields["status"] = Self.status(Self.statuses[0].id) }
            if fields["labels"] == nil { fields["labels"] = .array([]) }
        }
        return fields
    }

    /// One field's value as stored, or the refusal Jira would give.
    private func accept(_ name: String, _ value: JSONValue, version: Int) throws(JiraRefusal) -> JSONValue {
        switch name {
        case "summary":
            guard let text = value.text, !text.isEmpty, text.count <= 255, !text.contains("\n") else {
                throw JiraSandbox.fieldError(name, "Summary must be one line of text of at most 255 characters.")
            }
            return .string(text)
        case "description", "environment":
            let (document, problem) = JiraDocument.accept(value, version: version)
            if let problem { throw JiraSandbox.fieldError(name, problem) }
            return document ?? .null
        case "labels":
            guard let labels = value.array?.compactMap(\.text), labels.count == value.array?.count else { throw JiraSandbox.fieldError(name, "Labels must be an array of strings.") }
            if let bad = labels.first(where: { $0.contains(" ") || $0.isEmpty || $0.count > 255 }) {
                throw JiraSandbox.fieldError(name, "The label '\(bad)' contains spaces which is invalid.")
            }
            return .array(labels.map { .string($0) })
        case "project":
            guard value["id"]?.text == String(projectID) || value["key"]?.text == projectKey || value.text == projectKey else {
                throw JiraSandbox.fieldError(name, "Specify a valid project ID or key")
            }
            return projectReference
        case "issuetype":
            guard let type = issueTypes.first(where: { ($0["id"]?.text).map { $0 == value["id"]?.text } == true || ($0["name"]?.text).map { $0 == value["name"]?.text } == true }) else {
                throw JiraSandbox.fieldError(name, "Specify a valid issue type")
            }
            return type
        case "assignee", "reporter":
            if case .null = value { return .null }
            guard let account = value["accountId"]?.text ?? value["id"]?.text, let user = user(accountID: account) else {
                throw JiraSandbox.fieldError(name, "Specify a valid value for \(name)")
            }
            return user
        case "parent":
            guard let reference = value["key"]?.text ?? value["id"]?.text, let parent = issue(reference) else {
                throw JiraSandbox.fieldError(name, "Could not find issue by id or key.")
            }
            return .object(["id": .string(String(parent.id)), "key": .string(parent.key), "fields": .object(["summary": parent.fields["summary"] ?? .null, "status": parent.fields["status"] ?? .null, "issuetype": parent.fields["issuetype"] ?? .null])])
        case "duedate":
            if case .null = value { return .null }
            guard let text = value.text, WireTime.formatter("yyyy-MM-dd", timeZone: "UTC").wireDate(from: text) != nil, text.count == 10 else {
                throw JiraSandbox.fieldError(name, "Error parsing date string: \(value.text ?? "")")
            }
            return .string(text)
        default:
            return try acceptCustom(name, value, version: version)
        }
    }

    /// A custom field's value by its schema: a number, a one-line string, or ADF for a textarea.
    private func acceptCustom(_ name: String, _ value: JSONValue, version: Int) throws(JiraRefusal) -> JSONValue {
        guard let definition = field(name), definition["custom"]?.bool == true else {
            throw JiraSandbox.fieldError(name, "Field '\(name)' cannot be set. It is not on the appropriate screen, or unknown.")
        }
        if case .null = value { return .null }
        let plugin = definition["schema"]?["custom"]?.text ?? ""
        switch definition["schema"]?["type"]?.text {
        case "number":
            guard case .number = value else { throw JiraSandbox.fieldError(name, "Operation value must be a number") }
            return value
        case "string" where plugin.hasSuffix(":textarea"):
            let (document, problem) = JiraDocument.accept(value, version: version)
            if let problem { throw JiraSandbox.fieldError(name, problem) }
            return document ?? .null
        default:
            guard case .string = value else { throw JiraSandbox.fieldError(name, "Operation value must be a string") }
            return value
        }
    }

    /// The project as an issue's `project` field shows it.
    var projectReference: JSONValue {
        .object(["id": .string(String(projectID)), "key": .string(projectKey), "name": .string("ML Connector"), "projectTypeKey": .string("software"), "simplified": .bool(false)])
    }

    /// A status by id, with its category.
    static func status(_ id: String) -> JSONValue {
        let status = statuses.first { $0.id == id } ?? statuses[0]
        return .object(["id": .string(status.id), "name": .string(status.name), "description": .string(""),
                        "statusCategory": .object(["id": .int(status.category.0), "key": .string(status.category.1), "name": .string(status.category.2), "colorName": .string("blue-gray")])])
    }

    /// `IssueBean` with the fields asked for: nil or `*all`/`*navigable` for all, `id` alone for none.
    func present(_ issue: Issue, fields stored: [String: JSONValue], requested: [String]?, caller: JiraCaller) -> JSONValue {
        var all = stored
        all["created"] = .string(timestamp(issue.created))
        all["updated"] = .string(timestamp(issue.updated))
        all["comment"] = .object(["comments": .array(issue.comments.map { present(comment: $0, caller: caller, issue: issue) }), "maxResults": .int(issue.comments.count),
                                  "total": .int(issue.comments.count), "startAt": .int(0)])
        for key in ["description", "environment"] where all[key] != nil { all[key] = JiraDocument.present(all[key], version: caller.version) }
        if caller.version == 2 {
            for (key, value) in all where key.hasPrefix("customfield_") && value["type"]?.text == "doc" { all[key] = JiraDocument.present(value, version: 2) }
        }
        let wanted = Self.selection(requested, available: Array(all.keys))
        var bean: [String: JSONValue] = ["id": .string(String(issue.id)), "key": .string(issue.key), "self": .string("\(caller.base)/issue/\(issue.id)"),
                                         "expand": .string("renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations")]
        if !wanted.isEmpty { bean["fields"] = .object(all.filter { wanted.contains($0.key) }) }
        return .object(bean)
    }

    /// The field names a `fields` parameter selects (digest 3.4: the default for search is `id` only).
    static func selection(_ requested: [String]?, available: [String]) -> Set<String> {
        guard let requested else { return Set(available) }
        var chosen = Set<String>()
        for item in requested.flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) where !item.isEmpty {
            if item == "*all" || item == "*navigable" { chosen.formUnion(available) } else if item.hasPrefix("-") { chosen.remove(String(item.dropFirst())) } else if item != "id" && item != "key" { chosen.insert(item) }
        }
        return chosen
    }

    /// A comment as `Comment`.
    func present(comment: JSONValue, caller: JiraCaller, issue: Issue) -> JSONValue {
        var shown = comment
        shown["body"] = JiraDocument.present(comment["body"], version: caller.version)
        shown["self"] = .string("\(caller.base)/issue/\(issue.id)/comment/\(comment["id"]?.text ?? "")")
        return shown
    }
}
