import Foundation
import Hummingbird

extension JiraSandbox {
    /// Worklogs (digest 3.6): add (201), read, update, delete on an issue, with `started` exactly
    /// `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, one of `timeSpentSeconds`/`timeSpent`, and an ADF comment;
    /// the change feed `worklog/updated?since=` (not the last minute) and `worklog/list`.
    func addWorklogRoutes(to router: some RouterMethods<BasicRequestContext>, prefix p: String) {
        router.get("\(p)/issue/:issue/worklog") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let (startAt, maxResults) = Self.window(request, defaultSize: 5000, maxSize: 5000)
                return try world.withLockedValue { world throws -> Response in
                    guard let issue = world.issue(reference) else { throw Self.issueNotFound() }
                    let all = world.worklogs.values.filter { $0.issueID == issue.id }.sorted { $0.id < $1.id }
                    let page = all.dropFirst(startAt).prefix(maxResults).map { world.present($0, caller: caller) }
                    return SandboxHTTP.json(.ok, .object(["startAt": .int(startAt), "maxResults": .int(maxResults), "total": .int(all.count), "worklogs": .array(Array(page))]))
                }
            }
        }
        router.post("\(p)/issue/:issue/worklog") { [self] request, context -> Response in
            try await answer(request) { caller in
                let reference = try context.parameters.require("issue")
                let body = try await bodyLog.read(request)
                let (worklog, shown) = try world.withLockedValue { world throws -> (JiraWorld.Worklog, JSONValue) in
                    guard let issue = world.issue(reference) else { throw Self.issueNotFound() }
                    let (started, seconds, comment) = try Self.readWorklog(body, version: caller.version, existing: nil)
                    world.nextWorklogID += 1
                    let now = world.now
                    let worklog = JiraWorld.Worklog(id: world.nextWorklogID, issueID: issue.id, author: caller.user["accountId"]?.text ?? "", started: started ?? "",
                                                    timeSpentSeconds: seconds ?? 0, comment: comment, created: now, updated: now)
                    world.worklogs[worklog.id] = worklog
                    return (worklog, world.present(worklog, caller: caller))
                }
                notifyAdmin(event: "worklog_created", payload: ["worklog": world.withLockedValue { $0.present(worklog, caller: JiraCaller(user: caller.user, oauth: false, version: 3, base: caller.base)) }])
                return faultGate.createResponse(SandboxHTTP.json(.created, shown))
            }
        }
        router.get("\(p)/issue/:issue/worklog/:worklog") { [self] request, context -> Response in
            try await answer(request) { caller in
                let id = Int(try context.parameters.require("worklog")) ?? -1
                return try world.withLockedValue { world throws -> Response in
                    guard let worklog = world.worklogs[id] else { throw Self.worklogNotFound() }
                    return SandboxHTTP.json(.ok, world.present(worklog, caller: caller))
                }
            }
        }
        router.put("\(p)/issue/:issue/worklog/:worklog") { [self] request, context -> Response in
            try await answer(request) { caller in
                let id = Int(try context.parameters.require("worklog")) ?? -1
                let body = try await bodyLog.read(request)
                let shown = try world.withLockedValue { world throws -> JSONValue in
                    guard var worklog = world.worklogs[id] else { throw Self.worklogNotFound() }
                    let (started, seconds, comment) = try Self.readWorklog(body, version: caller.version, existing: worklog)
                    if let started { worklog.started = started }
                    if let seconds { worklog.timeSpentSeconds = seconds }
                    if body["comment"] != nil { worklog.comment = comment }
                    worklog.updated = world.now
                    world.worklogs[id] = worklog
                    return world.present(worklog, caller: caller)
                }
                notifyAdmin(event: "worklog_updated", payload: ["worklog": shown])
                return SandboxHTTP.json(.ok, shown)
            }
        }
        router.delete("\(p)/issue/:issue/worklog/:worklog") { [self] request, context -> Response in
            try await answer(request) { caller in
                let id = Int(try context.parameters.require("worklog")) ?? -1
                let shown = try world.withLockedValue { world throws -> JSONValue in
                    guard let worklog = world.worklogs.removeValue(forKey: id) else { throw Self.worklogNotFound() }
                    return world.present(worklog, caller: caller)
                }
                notifyAdmin(event: "worklog_deleted", payload: ["worklog": shown])
                return Response(status: .noContent)
            }
        }
        router.get("\(p)/worklog/updated") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let since = SandboxHTTP.queryValue(request, "since").flatMap(Int64.init) ?? 0
                return world.withLockedValue { world in
                    // Jira leaves out the last minute's changes (its description of the operation).
                    let horizon = Int64((world.now.timeIntervalSince1970 - world.configuration.worklogQuietPeriod.seconds) * 1000)
                    let changed = world.worklogs.values.map { ($0.id, Int64($0.updated.timeIntervalSince1970 * 1000)) }
                        .filter { $0.1 > since && $0.1 <= horizon }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
                    var page = Array(changed.prefix(world.configuration.worklogPageSize))
                    // A page never splits one millisecond, so `until` is a safe next `since`.
                    if let last = page.last { page += changed.dropFirst(page.count).prefix { $0.1 == last.1 } }
                    let lastPage = page.count == changed.count
                    let until = page.last?.1 ?? since
                    var body: [String: JSONValue] = [
                        "values": .array(page.map { .object(["worklogId": .number(String($0.0)), "updatedTime": .number(String($0.1)), "properties": .array([])]) }),
                        "since": .number(String(since)), "until": .number(String(until)), "lastPage": .bool(lastPage),
                        "self": .string("\(caller.base)/worklog/updated?since=\(since)"),
                    ]
                    if !lastPage { body["nextPage"] = .string("\(caller.base)/worklog/updated?since=\(until)") }
                    return SandboxHTTP.json(.ok, .object(body))
                }
            }
        }
        router.post("\(p)/worklog/list") { [self] request, _ -> Response in
            try await answer(request) { caller in
                let ids = (try await bodyLog.read(request)["ids"]?.array ?? []).compactMap(\.int)
                guard ids.count <= 1000 else { throw JiraRefusal(Self.error(.badRequest, "The number of worklog ids must not exceed 1000.")) }
                return SandboxHTTP.json(.ok, .array(world.withLockedValue { world in ids.compactMap { world.worklogs[$0] }.map { world.present($0, caller: caller) } }))
            }
        }
    }

    static func worklogNotFound() -> JiraRefusal {
        JiraRefusal(error(.notFound, "Cannot find worklog with id."))
    }

    /// `started`, seconds and comment of a worklog body; `started` must be exactly
    /// `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with a colon-free offset (digest 3.6).
    static func readWorklog(_ body: JSONValue, version: Int, existing: JiraWorld.Worklog?) throws(JiraRefusal) -> (String?, Int?, JSONValue?) {
        var started: String?
        if let text = body["started"]?.text {
            guard text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4}/#) != nil,
                  let date = WireTime.formatter("yyyy-MM-dd'T'HH:mm:ss.SSSZ", timeZone: "UTC").wireDate(from: text) else {
                throw fieldError("started", "Could not parse the date '\(text)'; use yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2021-01-17T12:34:00.000+0000.")
            }
            started = String(date.timeIntervalSince1970)
        } else if existing == nil {
            throw fieldError("started", "Started is required.")
        }
        let seconds = body["timeSpentSeconds"]?.int
        // 1e20 or 1.5 is no whole number of seconds: refused, not taken as absent.
        if body["timeSpentSeconds"] != nil && seconds == nil { throw fieldError("timeSpentSeconds", "timeSpentSeconds must be a whole number of seconds.") }
        let spent = body["timeSpent"]?.text
        if seconds != nil && spent != nil { throw fieldError("timeLogged", "Provide one of timeSpent or timeSpentSeconds, not both.") }
        var total = seconds
        if let spent {
            guard let parsed = Self.seconds(spent) else { throw fieldError("timeLogged", "Invalid time duration entered.") }
            total = parsed
        }
        // Required on create; when given, more than nothing (an update of -1 is refused too).
        if (existing == nil && total == nil) || (total.map { $0 <= 0 } ?? false) { throw fieldError("timeLogged", "You must indicate the time spent working.") }
        var comment: JSONValue?
        if let value = body["comment"] {
            let (document, problem) = JiraDocument.accept(value, version: version)
            if let problem { throw fieldError("comment", problem) }
            comment = document
        }
        return (started, total, comment)
    }

    /// `3h 20m` (also `1d`, `1w`: 8 hours a day, 5 days a week) in seconds; nil for anything
    /// else, and for a total no `Int` holds (`99999999999999999w`).
    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60]
        var total = 0
        for part in text.split(separator: " ") {
            guard let unit = part.last.flatMap({ units[$0] }), let value = Int(part.dropLast()) else { return nil }
            let (seconds, overflowed) = value.multipliedReportingOverflow(by: unit)
            guard !overflowed else { return nil }
            let (sum, overflowedSum) = total.addingReportingOverflow(seconds)
            guard !overflowedSum else { return nil }
            total = sum
        }
        return total
    }
}

extension JiraWorld {
    /// A worklog as `Worklog`; `started` in the user's time zone, as Jira shows it.
    func present(_ worklog: Worklog, caller: JiraCaller) -> JSONValue {
        let author = user(accountID: worklog.author).map { JiraSandbox.present(user: $0, caller: caller) } ?? .null
        let started = Double(worklog.started).map { timestamp(Date(timeIntervalSince1970: $0)) } ?? worklog.started
        let hours = worklog.timeSpentSeconds / 3600
        let minutes = worklog.timeSpentSeconds % 3600 / 60
        let spent = [hours > 0 ? "\(hours)h" : nil, minutes > 0 ? "\(minutes)m" : nil].compactMap { $0 }.joined(separator: " ")
        return .object([
            "id": .string(String(worklog.id)), "issueId": .string(String(worklog.issueID)), "self": .string("\(caller.base)/issue/\(worklog.issueID)/worklog/\(worklog.id)"),
            "author": author, "updateAuthor": author, "created": .string(timestamp(worklog.created)), "updated": .string(timestamp(worklog.updated)),
            "started": .string(started), "timeSpent": .string(spent.isEmpty ? "0m" : spent), "timeSpentSeconds": .int(worklog.timeSpentSeconds),
            "comment": JiraDocument.present(worklog.comment, version: caller.version), "properties": .array([]),
        ])
    }
}
