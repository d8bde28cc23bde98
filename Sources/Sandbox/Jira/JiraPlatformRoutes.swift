import Foundation
import Hummingbird

extension JiraSandbox {
    /// Who and where (`myself`, `serverInfo`), the project (`project`, `project/search`,
    /// `project/{key}`), `issuetype`, `field` (custom fields as `customfield_NNNNN`) and `user/search`.
    func addPlatformRoutes(to router: some RouterMethods<BasicRequestContext>, prefix p: String) {
        router.get("\(p)/myself") { [self] request, _ -> Response in
            try await answer(request) { caller in SandboxHTTP.json(.ok, Self.present(user: caller.user, caller: caller)) }
        }
        router.get("\(p)/serverInfo") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let now = world.withLockedValue { $0.timestamp($0.now) }
                let site = caller.base.components(separatedBy: "/rest/api/").first ?? caller.base
                return SandboxHTTP.json(.ok, .object([
                    "baseUrl": .string(site), "displayUrl": .string(site), "version": .string("1001.0.0-SNAPSHOT"), "versionNumbers": .array([.int(1001), .int(0), .int(0)]),
                    "deploymentType": .string("Cloud"), "buildNumber": .int(100_285), "buildDate": .string("2025-12-20T00:00:00.000+0000"), "serverTime": .string(now),
                    "scmInfo": .string("57a0ca5b4a0bb0ac5f3fee4764acb1c14e4d7e71"), "serverTitle": .string("Jira"),
                    "serverTimeZone": .string(configuration.timeZone),
                ]))
            }
        }
        router.get("\(p)/project") { [self] request, _ -> Response in
            try await answer(request) { caller in SandboxHTTP.json(.ok, .array([project(caller: caller)])) }
        }
        router.get("\(p)/project/search") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let (startAt, maxResults) = Self.window(request, defaultSize: 50, maxSize: 100)
                let all = [project(caller: caller)]
                let page = Array(all.dropFirst(startAt).prefix(maxResults))
                return SandboxHTTP.json(.ok, .object(["self": .string("\(caller.base)/project/search"), "startAt": .int(startAt), "maxResults": .int(maxResults),
                                                      "total": .int(all.count), "isLast": .bool(startAt + page.count >= all.count), "values": .array(page)]))
            }
        }
        router.get("\(p)/project/:project") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("project")
                guard reference.caseInsensitiveCompare(projectKey) == .orderedSame || reference == "10000" else {
                    throw JiraRefusal(Self.error(.notFound, "No project could be found with key '\(reference)'."))
                }
                return SandboxHTTP.json(.ok, project(caller: caller))
            }
        }
        router.get("\(p)/issuetype") { [self] request, _ -> Response in
            try await answer(request) { caller in SandboxHTTP.json(.ok, .array(issueTypes(caller: caller))) }
        }
        router.get("\(p)/field") { [self] request, _ -> Response in
            try await answer(request) { _ in SandboxHTTP.json(.ok, .array(world.withLockedValue { $0.fields })) }
        }
        router.get("\(p)/user/search") { [self] request, _ -> Response in
            try await answer(request) { caller in
                // Jira: query matches display name and email; accountId selects one (digest 3.8).
                let query = SandboxHTTP.queryValue(request, "query")?.lowercased()
                let account = SandboxHTTP.queryValue(request, "accountId")
                guard query != nil || account != nil else { throw JiraRefusal(Self.error(.badRequest, "One of 'accountId' or 'query' must be specified.")) }
                let users = world.withLockedValue { $0.users }.filter { user in
                    if let account { return user["accountId"]?.text == account }
                    let query = query ?? ""
                    return [user["emailAddress"]?.text, user["displayName"]?.text].compactMap { $0?.lowercased() }.contains { $0.hasPrefix(query) || $0.contains(query) }
                }
                return SandboxHTTP.json(.ok, .array(users.map { Self.present(user: $0, caller: caller) }))
            }
        }
    }

    /// `startAt` and `maxResults` of a paged list: a negative start reads from 0, and the size
    /// stays within 1…`maxSize` whatever the caller asks.
    static func window(_ request: Request, defaultSize: Int, maxSize: Int) -> (startAt: Int, maxResults: Int) {
        let startAt = max(0, SandboxHTTP.queryValue(request, "startAt").flatMap(Int.init) ?? 0)
        let maxResults = max(1, min(maxSize, SandboxHTTP.queryValue(request, "maxResults").flatMap(Int.init) ?? defaultSize))
        return (startAt, maxResults)
    }

    /// A user as `User`, with its `self` link.
    static func present(user: JSONValue, caller: JiraCaller) -> JSONValue {
        var shown = user
        shown["self"] = .string("\(caller.base)/user?accountId=\(user["accountId"]?.text ?? "")")
        shown["avatarUrls"] = .object(["48x48": .string("https://avatar-management.services.atlassian.com/default/48")])
        return shown
    }

    func issueTypes(caller: JiraCaller) -> [JSONValue] {
        world.withLockedValue { $0.issueTypes }.map { type in
            var shown = type
            shown["self"] = .string("\(caller.base)/issuetype/\(type["id"]?.text ?? "")")
            shown["iconUrl"] = .string("\(caller.base)/universal_avatar/view/type/issuetype/avatar/\(type["avatarId"]?.text ?? "")")
            return shown
        }
    }

    func project(caller: JiraCaller) -> JSONValue {
        var project = world.withLockedValue { $0.projectReference }
        project["self"] = .string("\(caller.base)/project/10000")
        project["style"] = .string("classic")
        project["isPrivate"] = .bool(false)
        project["issueTypes"] = .array(issueTypes(caller: caller))
        return project
    }
}
