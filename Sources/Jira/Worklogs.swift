import ConnectorKit
import Foundation

/// What adding or updating a worklog sends (digest 3.6): `started` exactly as Jira parses it,
/// time in seconds, an ADF comment.
public struct WorklogDraft: Encodable, Sendable, Equatable {
    public var started: Date?
    public var timeSpentSeconds: Int?
    public var comment: JiraDocument?

    /// Creates a draft.
    public init(started: Date? = nil, timeSpentSeconds: Int? = nil, comment: JiraDocument? = nil) {
        self.started = started
        self.timeSpentSeconds = timeSpentSeconds
        self.comment = comment
    }

    enum CodingKeys: String, CodingKey { case started, timeSpentSeconds, comment }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Jira: `started` is yyyy-MM-dd'T'HH:mm:ss.SSSZ with +0000, not ISO 8601's Z (digest 3.9.5).
        try container.encodeIfPresent(started.map(JiraTime.format), forKey: .started)
        try container.encodeIfPresent(timeSpentSeconds, forKey: .timeSpentSeconds)
        try container.encodeIfPresent(comment, forKey: .comment)
    }
}

/// One changed worklog from `worklog/updated`.
public struct ChangedWorklog: Decodable, Sendable, Equatable {
    public var worklogId: Int
    public var updatedTime: Int64
}

extension JiraClient {
    /// Adds a worklog (201).
    public func addWorklog(issue idOrKey: String, _ draft: WorklogDraft) async throws -> JiraWorklog {
        try await send(.POST, "/issue/\(idOrKey)/worklog", body: draft, as: JiraWorklog.self)
    }

    /// Changes a worklog.
    public func updateWorklog(issue idOrKey: String, id: String, _ draft: WorklogDraft) async throws -> JiraWorklog {
        try await send(.PUT, "/issue/\(idOrKey)/worklog/\(id)", body: draft, as: JiraWorklog.self)
    }

    /// Deletes a worklog.
    public func deleteWorklog(issue idOrKey: String, id: String) async throws {
        try await call(.DELETE, "/issue/\(idOrKey)/worklog/\(id)")
    }

    /// The worklogs of one issue, by start position.
    public func worklogs(issue idOrKey: String, pageSize: Int = 1000) -> Paged<JiraWorklog> {
        struct Page: Decodable { var worklogs: [JiraWorklog] }
        return Paged.positions(pageSize: pageSize) { [self] start, count in
            try await send(.GET, "/issue/\(idOrKey)/worklog", query: [("startAt", String(start)), ("maxResults", String(count))], as: Page.self).worklogs
        }
    }

    /// Worklogs changed after `since` (epoch ms), oldest first, page by page: the next page
    /// starts at the last page's `until`. Jira leaves out the last minute's changes (digest 3.6).
    public func updatedWorklogs(since: Int64) -> Paged<ChangedWorklog> {
        struct Page: Decodable {
            var values: [ChangedWorklog]
            var until: Int64?
            var lastPage: Bool
        }
        return Paged.tokens { [self] token in
            let page = try await send(.GET, "/worklog/updated", query: [("since", token ?? String(since))], as: Page.self)
            return (page.values, page.lastPage ? nil : page.until.map(String.init))
        }
    }

    /// Full worklogs by id (`worklog/list`, at most 1000 ids a call).
    public func worklogs(ids: [Int]) async throws -> [JiraWorklog] {
        var all: [JiraWorklog] = []
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let chunk = Array(ids[start..<min(ids.count, start + 1000)])
            // A read sent as POST: a repeat after a lost answer is harmless.
            all += try await send(.POST, "/worklog/list", body: ["ids": chunk], repeatable: true, as: [JiraWorklog].self)
        }
        return all
    }
}
