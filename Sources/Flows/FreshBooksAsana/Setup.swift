import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

/// Applying a FreshBooks ↔ Asana configuration: every reference checked against the live
/// systems (connections, workspace, team, projects, custom field GIDs and option GIDs) before
/// anything is stored, then the integration saved and its polls and webhooks scheduled.
public struct FreshBooksAsanaSetup: Sendable {
    /// The pipeline for the checks.
    public let pipeline: HTTPPipeline
    /// The store.
    public let store: any Store

    /// Creates the helper.
    public init(pipeline: HTTPPipeline, store: any Store) {
        self.pipeline = pipeline
        self.store = store
    }

    /// What `apply` did.
    public struct Applied: Sendable, Encodable {
        public var integration: String
        public var created: Bool
        public var watchedProjects: [String]
        public var fields: [String: String]
        public var scheduled: [String]
    }

    /// Validates `config` against the live systems and stores it; refuses with an error naming
    /// the key, the GID and what is wrong.
    public func apply(_ config: FreshBooksAsanaConfig, publicURL: String?) async throws -> Applied {
        try config.validateShape()
        guard let fbConnection = try await store.connection(id: config.connections.freshbooks), fbConnection.system == .freshbooks else {
            throw ConnectorError.validation(field: "connections.freshbooks", message: "'\(config.connections.freshbooks)' is not a FreshBooks connection; add it with ml-connector connection add freshbooks")
        }
        guard let asanaConnection = try await store.connection(id: config.connections.asana), asanaConnection.system == .asana else {
            throw ConnectorError.validation(field: "connections.asana", message: "'\(config.connections.asana)' is not an Asana connection; add it with ml-connector connection add asana")
        }
        let asana = AsanaClient(pipeline: pipeline, connection: asanaConnection)
        guard asanaConnection.settings["workspace_gid"] == config.asana.workspace else {
            throw ConnectorError.validation(field: "asana.workspace", message: "GID \(config.asana.workspace) is not the workspace of connection \(asanaConnection.id) (\(asanaConnection.settings["workspace_gid"] ?? "?"))")
        }
        var watched = config.asana.projects ?? []
        if let team = config.asana.team {
            do {
                watched += try await asana.projects(team: team, archived: false).collect().map(\.gid)
            } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: "asana.team", message: "team GID \(team) does not exist in Asana or this connection cannot see it")
            }
        }
        for (index, gid) in (config.asana.projects ?? []).enumerated() {
            do {
                _ = try await asana.project(gid: gid)
            } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: "asana.projects[\(index)]", message: "project GID \(gid) does not exist in Asana")
            }
        }
        let resolved = try await asana.validate(config.fieldRequirements)
        // The FreshBooks side answers, and reaches the business the connection names.
        _ = try await FreshBooksClient(pipeline: pipeline, connection: fbConnection).teamMembers()

        let tenant = config.tenant ?? fbConnection.tenant
        let existing = try await store.integration(id: config.name)
        let record = IntegrationRecord(id: config.name, tenant: tenant, kind: FreshBooksAsanaConfig.kind,
                                       connections: ["freshbooks": fbConnection.id, "asana": asanaConnection.id],
                                       config: String(decoding: try JSONEncoder().encode(config), as: UTF8.self), state: existing?.state ?? .active,
                                       createdAt: existing?.createdAt ?? Date())
        try await store.saveIntegration(record)

        let interval = try config.pollInterval()
        var jobs: [JobRequest] = []
        var scheduled: [String] = []
        for feed in ["invoices", "payments"] {
            jobs.append(try PollJob.schedule(connection: fbConnection, feed: feed, every: interval))
            scheduled.append("poll freshbooks \(feed) every \(interval.components.seconds)s")
        }
        for project in Array(Set(watched)).sorted() {
            jobs.append(try PollJob.schedule(connection: asanaConnection, feed: "project:\(project)", every: interval))
            scheduled.append("poll asana project \(project) every \(interval.components.seconds)s")
        }
        if let team = config.asana.team {
            jobs.append(try PollJob.schedule(connection: asanaConnection, feed: "team:\(team)", every: interval))
            scheduled.append("poll asana team \(team) for new projects every \(interval.components.seconds)s")
        }
        if let publicURL {
            jobs.append(try FreshBooksWebhookUpkeepJob.schedule(connection: fbConnection, publicURL: publicURL, events: ["invoice.update", "payment.create", "payment.update"]))
            jobs.append(try AsanaWebhookUpkeepJob.schedule(connection: asanaConnection, payload: .init(connectionID: asanaConnection.id, publicURL: publicURL,
                                                                                                         projects: Array(Set(watched)).sorted(), workspace: config.asana.team != nil)))
            scheduled.append("webhooks on both sides at \(publicURL)")
        }
        try await store.apply(jobs.map(StoreWrite.enqueue))
        return Applied(integration: record.id, created: existing == nil, watchedProjects: Array(Set(watched)).sorted(),
                       fields: resolved.mapValues(\.name), scheduled: scheduled)
    }

    /// Enqueues a poll of every feed of an integration now ("run").
    public func runNow(_ integration: IntegrationRecord) async throws -> Int {
        let config = try JSONDecoder().decode(FreshBooksAsanaConfig.self, from: Data(integration.config.utf8))
        var jobs: [JobRequest] = []
        let interval = try config.pollInterval()
        if let id = integration.connections["freshbooks"], let connection = try await store.connection(id: id) {
            for feed in ["invoices", "payments"] { jobs.append(try PollJob.schedule(connection: connection, feed: feed, every: interval, startingAt: Date())) }
        }
        if let id = integration.connections["asana"], let connection = try await store.connection(id: id) {
            let projects = try await store.links(integrationID: integration.id).filter { $0.source.type == "project" && $0.source.system == .asana }.map(\.source.id)
            for project in Set(projects + (config.asana.projects ?? [])) {
                jobs.append(try PollJob.schedule(connection: connection, feed: "project:\(project)", every: interval, startingAt: Date()))
            }
            if let team = config.asana.team {
                jobs.append(try PollJob.schedule(connection: connection, feed: "team:\(team)", every: interval, startingAt: Date()))
            }
        }
        try await store.apply(jobs.map(StoreWrite.enqueue))
        return jobs.count
    }
}
