import Foundation
import Hummingbird

extension JiraSandbox {
    /// `GET|POST /search/jql` (digest 3.4): `nextPageToken` paging that is absent on the last
    /// page, no `total`, `fields` defaulting to `id` only, `maxResults` (default 50), and an
    /// index that lags writes by the configured delay unless the issue is in `reconcileIssues`.
    func addSearchRoutes(to router: some RouterMethods<BasicRequestContext>, prefix p: String) {
        router.get("\(p)/search/jql") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let reconcile = (Self.listParameter(request, "reconcileIssues") ?? []).flatMap { $0.split(separator: ",").compactMap { Int($0) } }
                return try search(jql: SandboxHTTP.queryValue(request, "jql") ?? "", token: SandboxHTTP.queryValue(request, "nextPageToken"),
                                  maxResults: SandboxHTTP.queryValue(request, "maxResults").flatMap(Int.init), fields: Self.listParameter(request, "fields"),
                                  reconcile: reconcile, caller: caller)
            }
        }
        router.post("\(p)/search/jql") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let body = try await bodyLog.read(request)
                return try search(jql: body["jql"]?.text ?? "", token: body["nextPageToken"]?.text, maxResults: body["maxResults"]?.int,
                                  fields: body["fields"]?.array?.compactMap(\.text), reconcile: (body["reconcileIssues"]?.array ?? []).compactMap(\.int), caller: caller)
            }
        }
    }

    func search(jql: String, token: String?, maxResults: Int?, fields: [String]?, reconcile: [Int], caller: JiraCaller) throws(JiraRefusal) -> Response {
        let query: JiraJQL
        do {
            query = try JiraJQL.parse(jql)
        } catch {
            throw JiraRefusal(Self.error(.badRequest, error.message))
        }
        var start = 0
        if let token {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("o:"), let offset = Int(text.dropFirst(2)), offset >= 0 else {
                throw JiraRefusal(Self.error(.badRequest, "The provided next page token is invalid or expired."))
            }
            start = offset
        }
        let wantsFields = !JiraWorld.selection(fields ?? ["id"], available: ["summary"]).isEmpty
        // Up to 5000 ids per page, fewer when fields are asked for (digest 3.4).
        let limit = max(1, min(maxResults ?? 50, wantsFields ? 100 : 5000))
        let (page, more) = world.withLockedValue { world -> ([JSONValue], Bool) in
            let horizon = world.now.addingTimeInterval(-world.searchLag)
            let visible = world.issues.values.compactMap { issue -> (JiraWorld.Issue, [String: JSONValue])? in
                if reconcile.contains(issue.id) { return (issue, issue.fields) }
                guard let indexed = issue.indexed.last(where: { $0.at <= horizon }) else { return nil }
                return (issue, indexed.fields)
            }.filter { query.matches($0.0, fields: $0.1, world: world) }
            let sorted = query.sort(visible)
            let slice = sorted.dropFirst(start).prefix(limit)
            return (slice.map { world.present($0.0, fields: $0.1, requested: fields ?? ["id"], caller: caller) }, start + slice.count < sorted.count)
        }
        var body: [String: JSONValue] = ["issues": .array(page), "isLast": .bool(!more)]
        // nextPageToken is omitted on the last page, never null (digest 3.4).
        if more { body["nextPageToken"] = .string(Data("o:\(start + page.count)".utf8).base64EncodedString()) }
        return SandboxHTTP.json(.ok, .object(body))
    }
}
