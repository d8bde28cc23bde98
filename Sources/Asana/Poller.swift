import ConnectorKit
import Foundation
import NIOCore

/// The events API backstop for one project (digest B6): a stored sync token reads what
/// happened since; a 412 (first call, or a token over 24 h old) gives a new token and triggers a
/// bounded re-read of the tasks modified since the last poll, so no change is lost.
public struct AsanaEventsFeed: ChangeFeed {
    /// The project watched.
    public let project: String
    /// The client.
    public let client: AsanaClient
    /// Pages of events read per poll at most.
    public var maxPages = 10

    /// Creates a feed.
    public init(project: String, client: AsanaClient) {
        self.project = project
        self.client = client
    }

    public var name: String { "project:\(project)" }

    /// What the feed keeps between polls.
    public struct Cursor: Codable, Sendable, Equatable {
        public var sync: String
        /// When the last poll ran (the re-read starts here after a 412).
        public var polledAt: Date
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let previous = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: Data($0.utf8)) }
        var events: [ChangeEvent] = []
        var sync = previous?.sync
        var pages = 0
        var crawled = false
        while pages < maxPages {
            pages += 1
            switch try await client.events(resource: project, sync: sync) {
            case .expired(let fresh):
                sync = fresh
                crawled = true
                // A first poll crawls every task; after an expiry, a bounded re-read of the tasks
                // modified since the last poll, with a minute's overlap. Each event carries the
                // task as listed, so no job reads it again.
                let parent = ExternalRef.asana(.project, project)
                var reread = 0
                for try await task in client.tasks(project: project, modifiedSince: previous?.polledAt.addingTimeInterval(-60)) {
                    events.append(ChangeEvent(eventID: "asana-resync:\(task.gid):\(task.modified_at ?? "")", ref: .asana(.task, task.gid),
                                              action: .updated, occurredAt: task.modified_at.flatMap(AsanaTime.parse), connectionID: client.connection.id,
                                              parent: parent, resyncOf: parent).carrying(task, readAt: now))
                    reread += 1
                }
                // The project's own event stands for the re-read (`ChangeEvent.resyncOf`); a first
                // crawl's always does, an empty project's too, so the project itself is read once.
                if reread > 0 || previous == nil {
                    events.append(ChangeEvent(eventID: "asana-resync:\(project):\(AsanaTime.format(now))", ref: parent, action: .updated, occurredAt: now,
                                              connectionID: client.connection.id, vendorEvent: "resync", resyncOf: parent))
                }
                pages = maxPages
            case .events(let page, let next, let hasMore):
                sync = next
                events += page.compactMap { AsanaWebhookVerifier.changeEvent($0, connectionID: client.connection.id) }
                if !hasMore { pages = maxPages }
            }
        }
        events = Self.latestPerRecord(events)
        if !crawled, let polledAt = previous?.polledAt {
            events = try await attachingSnapshots(events, polledAt: polledAt, now: now)
        }
        let next = Cursor(sync: sync ?? "", polledAt: now)
        return FeedPage(events: events, cursor: String(decoding: try JSONEncoder().encode(next), as: UTF8.self))
    }

    /// Events naming at least this many changed tasks are read back in one list
    /// (`modified_since`, 100 a page) rather than leaving one GET per task to the jobs; below it a
    /// list costs as much as the job's own read.
    public var batchReadThreshold = 2

    /// Attaches to each task event the task as a list of the project's recently modified tasks
    /// returns it: one request per 100 changed tasks instead of one per task. A task the list
    /// does not return (deleted, moved out) keeps a thin event and its job reads it.
    func attachingSnapshots(_ events: [ChangeEvent], polledAt: Date, now: Date) async throws -> [ChangeEvent] {
        let taskEvents = events.filter { $0.ref.type == AsanaRecord.task.rawValue && $0.action != .deleted }
        let changed = Set(taskEvents.map(\.ref.id))
        guard changed.count >= batchReadThreshold else { return events }
        // From the earliest change (Asana's own clock, a second's margin for the event being
        // stamped after the task), never before the last poll's minute of overlap.
        let stamps = taskEvents.compactMap(\.occurredAt)
        let earliest = stamps.count == taskEvents.count ? (stamps.min() ?? polledAt).addingTimeInterval(-1) : polledAt.addingTimeInterval(-60)
        let modifiedSince = max(earliest, polledAt.addingTimeInterval(-60))
        var listed: [String: AsanaTask] = [:]
        for try await task in client.tasks(project: project, modifiedSince: modifiedSince) where changed.contains(task.gid) {
            listed[task.gid] = task
        }
        return events.map { event in
            guard event.ref.type == AsanaRecord.task.rawValue, event.action != .deleted, let task = listed[event.ref.id] else { return event }
            return event.carrying(task, readAt: now)
        }
    }

    /// One event per record, the latest: a job needs the record once, in its newest state.
    static func latestPerRecord(_ events: [ChangeEvent]) -> [ChangeEvent] {
        var seen = Set<ExternalRef>()
        return events.reversed().filter { seen.insert($0.ref).inserted }.reversed()
    }
}

/// What the events API answered.
public enum EventsResult: Sendable {
    /// The token was missing or too old; here is a fresh one (re-read the resource).
    case expired(sync: String)
    /// Events since the token, the next token, and whether more are waiting.
    case events([Event], sync: String, hasMore: Bool)
}

extension AsanaClient {
    /// Reads the events of a resource since `sync`.
    public func events(resource: String, sync: String?) async throws -> EventsResult {
        var query = [("resource", resource)]
        if let sync { query.append(("sync", sync)) }
        var request = OutboundRequest(method: .GET, url: try shell.url("/events", query: query), passThroughStatuses: [412])
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await pipeline.send(request, connection: connection, provider: provider)
        struct Body: Decodable {
            var data: [Event]?
            var sync: String
            var has_more: Bool?
        }
        let body = try response.decode(Body.self)
        if response.status == 412 { return .expired(sync: body.sync) }
        return .events(body.data ?? [], sync: body.sync, hasMore: body.has_more ?? false)
    }
}

/// New and changed projects of a team, polled: the guarantee behind the workspace webhook
/// (Asana's events API does not cover a team's new projects).
public struct AsanaTeamProjectsFeed: ChangeFeed {
    /// The team watched.
    public let team: String
    /// The client.
    public let client: AsanaClient

    /// Creates a feed.
    public init(team: String, client: AsanaClient) {
        self.team = team
        self.client = client
    }

    public var name: String { "team:\(team)" }

    /// A cursor that has seen `projects` at the versions listed (`modified_at`): what an
    /// integration starts the feed from when every one of them is crawled by its own first poll,
    /// whose event stands for the project (`ChangeEvent.resyncOf`), so that the team's first poll
    /// does not ask for each a second reconciliation. Projects listed later or changed since are
    /// reported as ever.
    public static func cursor(seeing projects: [Project]) throws -> String {
        let seen = Dictionary(projects.map { ($0.gid, $0.modified_at ?? "") }, uniquingKeysWith: { first, _ in first })
        return String(decoding: try JSONEncoder().encode(seen), as: UTF8.self)
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let seen = cursor.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        var current: [String: String] = [:]
        var events: [ChangeEvent] = []
        for try await project in try client.projects(team: team) {
            let version = project.modified_at ?? ""
            current[project.gid] = version
            guard seen[project.gid] != version else { continue }
            events.append(ChangeEvent(eventID: "asana-team-poll:\(project.gid):\(version)", ref: .asana(.project, project.gid),
                                      action: seen[project.gid] == nil ? .created : .updated, occurredAt: AsanaTime.parse(version), connectionID: client.connection.id))
        }
        return FeedPage(events: events, cursor: String(decoding: try JSONEncoder().encode(current), as: UTF8.self))
    }
}
