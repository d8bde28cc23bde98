import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// The Acumatica ↔ Asana integration as the registry sees it: a construction firm's
/// subcontractor bills and purchase orders become Asana approval tasks, an approval releases
/// them, and the Asana team follows the active employees.
public struct AcumaticaAsanaIntegration: Integration {
    public typealias Configuration = AcumaticaAsanaConfig

    /// Creates the integration kind.
    public init() {}

    public var kind: String { AcumaticaAsanaConfig.kind }

    public var roles: [String: SystemKind] { ["acumatica": .acumatica, "asana": .asana] }

    /// The message of an endpoint version mismatch, naming both versions.
    public static func versionMismatch(configured: String, found: String, where place: String) -> String {
        "acumatica.endpoint_version is \(configured) but \(place) runs \(found.isEmpty ? "no Default endpoint" : found); "
            + "align the connection (setting endpoint_version) and the configuration with the instance's version"
    }

    public func validate(_ config: AcumaticaAsanaConfig, connections: [String: Connection], context: IntegrationContext) async throws -> [String] {
        guard let acumaticaConnection = connections["acumatica"], let asanaConnection = connections["asana"] else { return [] }
        var lines: [String] = []
        let pinned = AcumaticaClient(pipeline: context.pipeline, connection: acumaticaConnection).endpoint
        guard pinned.version == config.acumatica.endpoint_version else {
            throw ConnectorError.validation(field: "acumatica.endpoint_version", message: Self.versionMismatch(configured: config.acumatica.endpoint_version, found: pinned.version,
                                                                                                                 where: "connection \(acumaticaConnection.id)"))
        }
        let offered = try await AcumaticaClient.withSession(pipeline: context.pipeline, connection: acumaticaConnection) { try await $0.endpoints() }
        let versions = offered.endpoints.filter { $0.name == pinned.name }.map(\.version)
        guard versions.contains(config.acumatica.endpoint_version) else {
            throw ConnectorError.validation(field: "acumatica.endpoint_version", message: Self.versionMismatch(configured: config.acumatica.endpoint_version, found: versions.joined(separator: ", "),
                                                                                                                 where: "the instance at \(acumaticaConnection.baseURLs["api"] ?? "?")"))
        }
        lines.append("acumatica endpoint \(pinned.name)/\(pinned.version) offered by the instance")

        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        let routing = config.asana.routing
        let routes = (routing.projects ?? [:]).map { (key: "asana.routing.projects.\($0.key)", gid: $0.value) }
            + (routing.branches ?? [:]).map { (key: "asana.routing.branches.\($0.key)", gid: $0.value) }
            + (routing.default.map { [(key: "asana.routing.default", gid: $0)] } ?? [])
        lines += try await AsanaScope.validate(workspace: config.asana.workspace, team: config.asana.team, projects: routes.sorted { $0.key < $1.key }, asana: asana)
        let resolved = try await asana.validate(config.fieldRequirements)
        lines += resolved.sorted { $0.key < $1.key }.map { "field \($0.key) = \"\($0.value.name)\"" }
        return lines
    }

    /// `LastModifiedDateTime` polls of the watched documents (and of employees when a roster is
    /// kept), the events poll of every routed Asana project, and Asana webhooks on those projects
    /// when the server has a public URL. Acumatica pushes are set up on SM302000, not here.
    public func schedules(_ config: AcumaticaAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async throws -> [ScheduledJob] {
        guard let acumatica = connections["acumatica"], let asana = connections["asana"] else { return [] }
        let interval = try config.pollInterval()
        let every = "every \(interval.components.seconds)s"
        var feeds = config.documentKinds.compactMap(AcumaticaFeedEntity.init(rawValue:))
        if config.roster != nil { feeds.append(.employees) }
        var jobs: [ScheduledJob] = []
        for feed in feeds {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: acumatica, feed: feed.rawValue, every: interval, startingAt: context.now), "poll acumatica \(feed.rawValue) \(every)"))
        }
        for project in config.routedProjects {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: asana, feed: AsanaFeedName.project(project), every: interval, startingAt: context.now), "poll asana project \(project) \(every)"))
        }
        if let publicURL = context.catalog.publicURL {
            jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: asana, publicURL: publicURL, startingAt: context.now), "asana webhooks at \(publicURL)"))
        }
        return jobs
    }

    /// Asana: every routed project's tasks. Acumatica: none (pushes are configured on SM302000).
    public func webhooks(_ config: AcumaticaAsanaConfig, record: IntegrationRecord, role: String, connections: [String: Connection], context: IntegrationContext) async throws -> [WantedSubscription] {
        role == "asana" ? config.routedProjects.map { WantedSubscription(resource: $0, filter: "project-tasks") } : []
    }

    public func handlers(pipeline: HTTPPipeline) -> [any JobHandler] {
        [AcumaticaAsanaChangeJob(), AcumaticaAsanaDocumentJob(pipeline: pipeline), AcumaticaAsanaVendorOptionJob(pipeline: pipeline), AcumaticaAsanaRosterJob(pipeline: pipeline)]
    }

    /// The roster's differences: employees without an Asana user, Asana users without an
    /// active employee, and (unless enforced) team members who would be removed.
    public func details(_ config: AcumaticaAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async -> [String: String] {
        guard let team = config.asana.team, config.roster != nil, let acumatica = connections["acumatica"], let asanaConnection = connections["asana"] else { return [:] }
        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        let plan: AcumaticaAsanaRoster.Plan
        do {
            plan = try await AcumaticaClient.withSession(pipeline: context.pipeline, connection: acumatica) {
                try await AcumaticaAsanaSession.rosterPlan(team: team, acumatica: $0, asana: asana)
            }
        } catch {
            return ["roster": "(not read: \(error))"]
        }
        func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
        var lines = ["employees without an Asana user": list(plan.employeesWithoutUser), "Asana users without an active employee": list(plan.usersWithoutEmployee)]
        if !config.enforcesRoster { lines["team members who would be removed with roster: enforce"] = list(plan.leavers) }
        return lines
    }
}
