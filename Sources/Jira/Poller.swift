import ConnectorKit
import Foundation

/// Issues changed since a watermark, by JQL `updated >=` (digest 3.4): JQL dates have minute
/// precision and are read in the user's time zone, and search lags writes, so each poll starts
/// a minute before the watermark, never lets the watermark pass `now − indexMargin`, and drops
/// the versions it already reported (issue id → `updated`) inside the overlap.
public struct JiraIssueFeed: ChangeFeed {
    /// The client.
    public let client: JiraClient
    /// The project watched (a key); every project the user sees when nil.
    public let project: String?
    /// How far behind `now` the watermark stays, for search's eventual consistency.
    public var indexMargin: TimeInterval = 300

    /// Creates a feed.
    public init(client: JiraClient, project: String?) {
        self.client = client
        self.project = project
    }

    public var name: String { JiraFeedName.issues }

    /// What the feed keeps between polls.
    public struct Cursor: Codable, Sendable, Equatable {
        /// The watermark (UTC).
        public var since: Date
        /// Issue id → `updated` (epoch ms) reported inside the overlap.
        public var seen: [String: Int64]
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let previous = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: Data($0.utf8)) }
        let since = previous?.since ?? now.addingTimeInterval(-3600)
        let zone = try await client.userTimeZone()
        // A minute's overlap below the watermark, floored to the minute JQL can say.
        let from = since.addingTimeInterval(-60)
        var clauses = ["updated >= \"\(JiraTime.jql(from, timeZone: zone))\""]
        if let project { clauses.insert("project = \"\(project)\"", at: 0) }
        let jql = clauses.joined(separator: " AND ") + " ORDER BY updated ASC"
        var seen = previous?.seen ?? [:]
        var events: [ChangeEvent] = []
        for try await issue in client.search(jql: jql, fields: ["updated", "created"]) {
            guard let updated = issue.fields?.updated else { continue }
            let stamp = Int64((updated.timeIntervalSince1970 * 1000).rounded())
            guard seen[issue.id] != stamp else { continue }
            // New: never reported, and created inside this window (Jira sends no event kind here).
            let isNew = seen[issue.id] == nil && (issue.fields?.created.map { $0 >= from } ?? false)
            events.append(ChangeEvent(eventID: "jira-poll:\(issue.id):\(stamp)", ref: .jira(.issue, issue.id), action: isNew ? .created : .updated,
                                      occurredAt: updated, connectionID: client.connection.id, accountRef: client.connection.accountRef))
            seen[issue.id] = stamp
        }
        // Anything older than the margin is in the index by now; newer changes are read again.
        let next = max(since, now.addingTimeInterval(-indexMargin))
        let floor = Int64(next.addingTimeInterval(-120).timeIntervalSince1970 * 1000)
        let cursor = Cursor(since: next, seen: seen.filter { $0.value >= floor })
        return FeedPage(events: events, cursor: String(decoding: try JSONEncoder().encode(cursor), as: UTF8.self))
    }
}

/// Worklogs changed since a watermark (digest 3.6): `worklog/updated?since=` gives ids and
/// times, oldest first, leaving out the last minute, then `worklog/list` gives their issues.
/// Worklog webhooks need admin webhooks; this feed is the guarantee either way.
public struct JiraWorklogFeed: ChangeFeed {
    /// The client.
    public let client: JiraClient

    /// Creates a feed.
    public init(client: JiraClient) {
        self.client = client
    }

    public var name: String { JiraFeedName.worklogs }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let since = cursor.flatMap { Int64($0) } ?? Int64(now.addingTimeInterval(-3600).timeIntervalSince1970 * 1000)
        let changed = try await client.updatedWorklogs(since: since).collect()
        let issues = Dictionary(try await client.worklogs(ids: changed.map(\.worklogId)).map { ($0.id, $0.issueId) }, uniquingKeysWith: { first, _ in first })
        let events = changed.map { change in
            ChangeEvent(eventID: "jira-worklog:\(change.worklogId):\(change.updatedTime)", ref: .jira(.worklog, change.worklogId), action: .updated,
                        occurredAt: Date(timeIntervalSince1970: Double(change.updatedTime) / 1000), connectionID: client.connection.id,
                        accountRef: client.connection.accountRef, parent: issues[String(change.worklogId)].map { .jira(.issue, $0) })
        }
        return FeedPage(events: events, cursor: String(Self.nextSince(since, changed: changed.map(\.updatedTime), now: now)))
    }

    /// The next watermark: the newest `updatedTime` read, but never behind `since` (an
    /// `updatedTime` of -1 would re-read everything) nor ahead of `now` (one from the year 3000
    /// would skip every later change).
    static func nextSince(_ since: Int64, changed: [Int64], now: Date) -> Int64 {
        guard let newest = changed.max() else { return since }
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        return max(since, min(newest, nowMillis))
    }
}

/// The names of Jira's feeds, written and read in one place.
public enum JiraFeedName {
    /// Issues changed (JQL `updated`).
    public static let issues = "issues"
    /// Worklogs changed (`worklog/updated`).
    public static let worklogs = "worklogs"
}

extension JiraClient {
    /// The connected user's time zone: the one recorded at connect time, else `myself`'s.
    public func userTimeZone() async throws -> TimeZone {
        if let name = connection[setting: .jiraTimeZone], let zone = TimeZone(identifier: name) { return zone }
        return try await myself().timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }
}
