import Foundation
import Hummingbird

extension JiraSandbox {
    /// Issues (digest 3.3): create (201 `CreatedIssue`), get with `fields`, edit (204), delete
    /// (204), comments in ADF, and transitions (list, do).
    func addIssueRoutes(to router: some RouterMethods<BasicRequestContext>, prefix p: String) {
        router.post("\(p)/issue") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let body = try await bodyLog.read(request)
                let (created, bean) = try world.withLockedValue { world throws -> (JiraWorld.Issue, JSONValue) in
                    var fields = try world.apply(fields: body["fields"]?.object ?? [:], update: body["update"]?.object ?? [:], to: [:], version: caller.version, creating: true)
                    if fields["reporter"] == nil { fields["reporter"] = caller.user }
                    if fields["assignee"] == nil { fields["assignee"] = .null }
                    let now = world.now
                    var issue = JiraWorld.Issue(id: world.nextIssueID, key: "\(world.projectKey)-\(world.nextIssueNumber)", fields: fields, created: now, updated: now)
                    world.nextIssueID += 1
                    world.nextIssueNumber += 1
                    for property in body["properties"]?.array ?? [] {
                        if let key = property["key"]?.text { issue.properties[key] = property["value"] ?? .null }
                    }
                    issue.indexed = [(at: now, fields: fields)]
                    world.issues[issue.id] = issue
                    return (issue, world.present(issue, fields: fields, requested: nil, caller: JiraCaller(user: caller.user, oauth: caller.oauth, version: 3, base: caller.base)))
                }
                notify(event: "jira:issue_created", typeName: "issue_created", issue: bean, changelog: nil, user: caller.user)
                return faultGate.createResponse(SandboxHTTP.json(.created, .object(["id": .string(String(created.id)), "key": .string(created.key), "self": .string("\(caller.base)/issue/\(created.id)")])))
            }
        }
        router.get("\(p)/issue/:issue") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let requested = Self.listParameter(request, "fields")
                return try world.withLockedValue { world throws -> Response in
                    guard let issue = world.issue(reference) else { throw Self.issueNotFound() }
                    return SandboxHTTP.json(.ok, world.present(issue, fields: issue.fields, requested: requested, caller: caller))
                }
            }
        }
        router.put("\(p)/issue/:issue") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let body = try await bodyLog.read(request)
                let (bean, changes) = try world.withLockedValue { world throws -> (JSONValue, [JSONValue]) in
                    guard var issue = world.issue(reference) else { throw Self.issueNotFound() }
                    let before = issue.fields
                    issue.fields = try world.apply(fields: body["fields"]?.object ?? [:], update: body["update"]?.object ?? [:], to: issue.fields, version: caller.version, creating: false)
                    if let comments = body["update"]?["comment"]?.array {
                        for add in comments.compactMap({ $0["add"] }) { issue.comments.append(world.newComment(add["body"] ?? .null, author: caller.user, version: caller.version)) }
                    }
                    issue.updated = world.now
                    issue.indexed.append((at: issue.updated, fields: issue.fields))
                    world.issues[issue.id] = issue
                    return (world.present(issue, fields: issue.fields, requested: nil, caller: JiraCaller(user: caller.user, oauth: caller.oauth, version: 3, base: caller.base)), Self.changelog(before, issue.fields))
                }
                notify(event: "jira:issue_updated", typeName: "issue_generic", issue: bean, changelog: changes, user: caller.user)
                if SandboxHTTP.queryValue(request, "returnIssue") == "true" { return SandboxHTTP.json(.ok, bean) }
                return Response(status: .noContent)
            }
        }
        router.delete("\(p)/issue/:issue") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let bean = try world.withLockedValue { world throws -> JSONValue in
                    guard let issue = world.issue(reference) else { throw Self.issueNotFound() }
                    world.issues[issue.id] = nil
                    world.worklogs = world.worklogs.filter { $0.value.issueID != issue.id }
                    return world.present(issue, fields: issue.fields, requested: nil, caller: JiraCaller(user: caller.user, oauth: caller.oauth, version: 3, base: caller.base))
                }
                notify(event: "jira:issue_deleted", typeName: "issue_deleted", issue: bean, changelog: nil, user: caller.user)
                return Response(status: .noContent)
            }
        }
        router.post("\(p)/issue/:issue/comment") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let body = try await bodyLog.read(request)
                return try world.withLockedValue { world throws -> Response in
                    guard var issue = world.issue(reference) else { throw Self.issueNotFound() }
                    let (_, problem) = JiraDocument.accept(body["body"] ?? .null, version: caller.version)
                    if let problem { throw Self.fieldError("body", problem) }
                    let comment = world.newComment(body["body"] ?? .null, author: caller.user, version: caller.version)
                    issue.comments.append(comment)
                    issue.updated = world.now
                    world.issues[issue.id] = issue
                    return SandboxHTTP.json(.created, world.present(comment: comment, caller: caller, issue: issue))
                }
            }
        }
        router.get("\(p)/issue/:issue/transitions") { [self] request, context -> Response in
            try await answer(request) { _ in
                let reference = try context.parameters.require("issue")
                guard world.withLockedValue({ $0.issue(reference) }) != nil else { throw Self.issueNotFound() }
                let transitions = JiraWorld.statuses.map { status in
                    JSONValue.object(["id": .string(status.transition), "name": .string(status.name), "to": JiraWorld.status(status.id), "hasScreen": .bool(false),
                                      "isGlobal": .bool(true), "isInitial": .bool(false), "isAvailable": .bool(true), "isConditional": .bool(false), "isLooped": .bool(false)])
                }
                return SandboxHTTP.json(.ok, .object(["expand": .string("transitions"), "transitions": .array(transitions)]))
            }
        }
        router.post("\(p)/issue/:issue/transitions") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let body = try await bodyLog.read(request)
                let (bean, changes) = try world.withLockedValue { world throws -> (JSONValue, [JSONValue]) in
                    guard var issue = world.issue(reference) else { throw Self.issueNotFound() }
                    guard let id = body["transition"]?["id"]?.text, let target = JiraWorld.statuses.first(where: { $0.transition == id }) else {
                        throw JiraRefusal(Self.error(.badRequest, "Transition id '\(body["transition"]?["id"]?.text ?? "")' is not valid for this issue."))
                    }
                    let before = issue.fields
                    issue.fields = try world.apply(fields: body["fields"]?.object ?? [:], update: [:], to: issue.fields, version: caller.version, creating: false)
                    issue.fields["status"] = JiraWorld.status(target.id)
                    issue.updated = world.now
                    issue.indexed.append((at: issue.updated, fields: issue.fields))
                    world.issues[issue.id] = issue
                    return (world.present(issue, fields: issue.fields, requested: nil, caller: JiraCaller(user: caller.user, oauth: caller.oauth, version: 3, base: caller.base)), Self.changelog(before, issue.fields))
                }
                notify(event: "jira:issue_updated", typeName: "issue_generic", issue: bean, changelog: changes, user: caller.user)
                return Response(status: .noContent)
            }
        }
    }

    static func issueNotFound() -> JiraRefusal {
        JiraRefusal(error(.notFound, "Issue does not exist or you do not have permission to see it."))
    }

    /// A query parameter given as a comma list or repeated (`fields=a,b` or `fields=a&fields=b`).
    static func listParameter(_ request: Request, _ name: String) -> [String]? {
        let values = SandboxHTTP.query(request).filter { $0.0 == name }.map(\.1)
        return values.isEmpty ? nil : values
    }

    /// `changelog.items` between two versions of an issue's fields.
    static func changelog(_ before: [String: JSONValue], _ after: [String: JSONValue]) -> [JSONValue] {
        Set(before.keys).union(after.keys).sorted().compactMap { key in
            guard before[key] != after[key] else { return nil }
            func label(_ value: JSONValue?) -> JSONValue { (value?["name"] ?? value?["displayName"] ?? value).flatMap { $0.text.map { .string($0) } } ?? .null }
            return .object(["field": .string(key), "fieldId": .string(key), "fieldtype": .string(key.hasPrefix("customfield_") ? "custom" : "jira"),
                            "from": before[key]?["id"] ?? .null, "fromString": label(before[key]), "to": after[key]?["id"] ?? .null, "toString": label(after[key])])
        }
    }
}

extension JiraWorld {
    /// A new comment by `author`.
    mutating func newComment(_ body: JSONValue, author: JSONValue, version: Int) -> JSONValue {
        nextCommentID += 1
        let stamp = timestamp(now)
        return .object(["id": .string(String(nextCommentID)), "author": author, "updateAuthor": author, "body": JiraDocument.accept(body, version: version).document ?? .null,
                        "created": .string(stamp), "updated": .string(stamp), "jsdPublic": .bool(true)])
    }
}
