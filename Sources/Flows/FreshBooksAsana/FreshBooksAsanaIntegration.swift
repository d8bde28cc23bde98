import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

/// The FreshBooks ↔ Asana integration as the registry sees it: its configuration, live checks
/// (workspace, team, projects, custom field and option GIDs), handlers and schedules.
public struct FreshBooksAsanaIntegration: Integration {
    public typealias Configuration = FreshBooksAsanaConfig

    /// Creates the integration kind.
    public init() {}

    public var kind: String { FreshBooksAsanaConfig.kind }

    public var roles: [String: SystemKind] { ["freshbooks": .freshbooks, "asana": .asana] }

    public func validate(_ config: FreshBooksAsanaConfig, connections: [String: Connection], context: IntegrationContext) async throws -> [String] {
        let asanaConnection = connections["asana"]!
        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        var lines = try await AsanaScope.validate(workspace: config.asana.workspace, team: config.asana.team, projects: config.asana.projects ?? [], asana: asana)
        let resolved = try await asana.validate(config.fieldRequirements)
        lines += resolved.sorted { $0.key < $1.key }.map { "field \($0.key) = \"\($0.value.name)\"" }
        // The FreshBooks side answers, and reaches the business the connection names.
        _ = try await FreshBooksClient(pipeline: context.pipeline, connection: connections["freshbooks"]!).teamMembers()
        return lines
    }

    /// Polls of FreshBooks invoices and payments, of the Asana team's projects and of every
    /// watched project's tasks (configured, linked, or in the team now), and webhooks on both
    /// sides when the server has a public URL.
    public func schedules(_ config: FreshBooksAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async throws -> [ScheduledJob] {
        let freshbooks = connections["freshbooks"]!
        let asanaConnection = connections["asana"]!
        let interval = try config.pollInterval()
        let every = "every \(interval.components.seconds)s"
        var jobs: [ScheduledJob] = []
        for resource in [FreshBooksResource.invoices, .payments] {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: freshbooks, feed: resource.rawValue, every: interval, startingAt: context.now), "poll freshbooks \(resource.rawValue) \(every)"))
        }
        // A team that cannot be listed now leaves the configured and linked projects: its own poll finds the rest.
        let (projects, listed) = try await watched(config, record: record, asana: AsanaClient(pipeline: context.pipeline, connection: asanaConnection), store: context.store, strict: false)
        for project in projects {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: asanaConnection, feed: AsanaFeedName.project(project), every: interval, startingAt: context.now),
                                     "poll asana project \(project) \(every)"))
        }
        if let team = config.asana.team {
            let seed = try await teamSeed(team: team, listed: listed, connection: asanaConnection, store: context.store)
            jobs.append(ScheduledJob(try PollJob.schedule(connection: asanaConnection, feed: AsanaFeedName.team(team), every: interval, startingAt: context.now, seed: seed),
                                     "poll asana team \(team) for new projects \(every)"))
        }
        if let publicURL = context.catalog.publicURL {
            jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: freshbooks, publicURL: publicURL, startingAt: context.now), "freshbooks webhooks at \(publicURL)"))
            jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: asanaConnection, publicURL: publicURL, startingAt: context.now), "asana webhooks at \(publicURL)"))
        }
        return jobs
    }

    /// FreshBooks: invoice and payment events. Asana: every watched project's tasks, and the
    /// workspace's projects when a team is watched.
    public func webhooks(_ config: FreshBooksAsanaConfig, record: IntegrationRecord, role: String, connections: [String: Connection], context: IntegrationContext) async throws -> [WantedSubscription] {
        switch role {
        case "freshbooks":
            return ["invoice.update", "payment.create", "payment.update"].map { WantedSubscription(resource: $0) }
        case "asana":
            let asana = AsanaClient(pipeline: context.pipeline, connection: connections["asana"]!)
            var wanted = try await watchedProjects(config, record: record, asana: asana, store: context.store, strict: true).map { WantedSubscription(resource: $0, filter: "project-tasks") }
            if config.asana.team != nil { wanted.append(WantedSubscription(resource: config.asana.workspace, filter: "workspace-projects")) }
            return wanted
        default:
            return []
        }
    }

    public func handlers(pipeline: HTTPPipeline) -> [any JobHandler] {
        [FreshBooksAsanaChangeJob(pipeline: pipeline), FreshBooksAsanaBillingJob(pipeline: pipeline)]
    }

    /// People in Asana with no FreshBooks team member of the same email.
    public func details(_ config: FreshBooksAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async -> [String: String] {
        guard let users = try? await AsanaClient(pipeline: context.pipeline, connection: connections["asana"]!).users().collect(),
              let members = try? await FreshBooksClient(pipeline: context.pipeline, connection: connections["freshbooks"]!).teamMembers() else {
            return ["people without a match by email": "(systems unreachable)"]
        }
        let unmatched = FreshBooksAsanaMapping.matchPeople(asana: users, freshbooks: members).unmatched
        return ["people without a match by email": unmatched.isEmpty ? "none" : unmatched.joined(separator: ", ")]
    }

    /// Configured projects, projects already linked, and the team's projects now. When the team
    /// cannot be listed, `strict` throws (a shorter list would delete webhooks) and otherwise
    /// answers the rest.
    func watchedProjects(_ config: FreshBooksAsanaConfig, record: IntegrationRecord, asana: AsanaClient, store: any Store, strict: Bool) async throws -> [String] {
        try await watched(config, record: record, asana: asana, store: store, strict: strict).projects
    }

    /// `watchedProjects`, and the team's projects as listed (empty when it could not be).
    func watched(_ config: FreshBooksAsanaConfig, record: IntegrationRecord, asana: AsanaClient, store: any Store, strict: Bool) async throws -> (projects: [String], listed: [Asana.Project]) {
        var projects = Set(config.asana.projects ?? [])
        projects.formUnion(try await store.links(integrationID: record.id).filter { $0.source.system == .asana && $0.source.type == AsanaRecord.project.rawValue }.map(\.source.id))
        var listed: [Asana.Project] = []
        if let team = config.asana.team {
            do {
                listed = try await asana.projects(team: team, archived: false).collect()
                projects.formUnion(listed.map(\.gid))
            } catch where !strict {
                // The team's own poll finds its projects once Asana answers.
            }
        }
        return (projects.sorted(), listed)
    }

    /// Where the team's poll starts while it has no cursor: having seen the listed projects
    /// that are crawled by their own first poll (none stored yet, looked up after the listing,
    /// so each crawl's reconciliation reads its project after the listing did). Each such
    /// crawl's event asks for the project's reconciliation, so the team's first poll does not
    /// ask for a second; a listed project polled before, and any project listed later or changed
    /// since, the team's poll reports as ever. Nil once the team's poll has a cursor.
    func teamSeed(team: String, listed: [Asana.Project], connection: Connection, store: any Store) async throws -> String? {
        guard try await store.cursor(connectionID: connection.id, feed: AsanaFeedName.team(team)) == nil else { return nil }
        var crawled: [Asana.Project] = []
        for project in listed where try await store.cursor(connectionID: connection.id, feed: AsanaFeedName.project(project.gid)) == nil {
            crawled.append(project)
        }
        return try AsanaTeamProjectsFeed.cursor(seeing: crawled)
    }
}
