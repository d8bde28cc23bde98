import ConnectorKit
import Engine
import Foundation
import Store

/// One kind of integration (`freshbooks-asana`): its YAML configuration, its live validation,
/// its job handlers and the one place its recurring jobs come from. The registry is a list of
/// these; `integration apply|show|run|pause|resume`, `serve` and `demo` work for any of them.
public protocol Integration: Sendable {
    /// The configuration a user writes in YAML.
    associatedtype Configuration: IntegrationConfiguration

    /// The kind named in YAML (`kind: freshbooks-asana`) and stored on the integration.
    var kind: String { get }
    /// The connections it needs, by role (the YAML's `connections:` keys), and their system.
    var roles: [String: SystemKind] { get }

    /// Checks every reference in `configuration` against the live systems (GIDs, options,
    /// teams); throws a validation error naming the key, the value and what is wrong.
    /// Returns lines describing what was resolved (`field 1200… = "Billable amount"`).
    func validate(_ configuration: Configuration, connections: [String: Connection], context: IntegrationContext) async throws -> [String]

    /// The recurring jobs of an applied integration (polls, webhook upkeep): the only source,
    /// used by `apply`, `serve` and `run`.
    func schedules(_ configuration: Configuration, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async throws -> [ScheduledJob]

    /// The webhook subscriptions it wants on the connection of `role`, read when the upkeep
    /// runs (so a project linked since is watched, and two integrations sharing a connection
    /// keep each other's). Throws rather than answer a shorter list when it cannot tell.
    func webhooks(_ configuration: Configuration, record: IntegrationRecord, role: String, connections: [String: Connection], context: IntegrationContext) async throws -> [WantedSubscription]

    /// The job handlers of this kind; the change handler's kind is `TriggerRouter.changeKind(forIntegrationKind:)`.
    func handlers(pipeline: HTTPPipeline) -> [any JobHandler]

    /// Lines `integration show` adds for this kind (people without a match…); empty when none.
    func details(_ configuration: Configuration, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async -> [String: String]
}

/// The YAML a user writes for one integration; every kind's configuration has these keys.
public protocol IntegrationConfiguration: Codable, Sendable {
    /// The integration's name (its id).
    var name: String { get }
    /// The kind it declares.
    var kind: String { get }
    /// The tenant it belongs to (the first connection's when absent).
    var tenant: String? { get }
    /// Connection ids by role.
    var connectionIDs: [String: String] { get }
    /// Checks what can be checked without the systems; the first problem names its key.
    func validateShape() throws
}

/// What an integration's operations have at hand.
public struct IntegrationContext: Sendable {
    /// The store.
    public var store: any Store
    /// The systems, their pipeline and the server's public URL.
    public var catalog: SystemCatalog
    /// The time of the operation.
    public var now: Date

    /// Creates a context.
    public init(store: any Store, catalog: SystemCatalog, now: Date = Date()) {
        self.store = store
        self.catalog = catalog
        self.now = now
    }

    /// The pipeline for vendor calls.
    public var pipeline: HTTPPipeline { catalog.pipeline }
}

/// One recurring job and a line saying what it is.
public struct ScheduledJob: Sendable {
    /// The job (with its coalescing key and interval).
    public var request: JobRequest
    /// `poll asana project 1200… every 300s`.
    public var summary: String

    /// Pairs a job with its description.
    public init(_ request: JobRequest, _ summary: String) {
        self.request = request
        self.summary = summary
    }

    /// The requests of `jobs`, the first due at `start` and each next a millisecond later: due
    /// together, they would tie in the queue's order (by due time), and the work a poll finds,
    /// due when its poll was (`PollJob`), would then run behind every other first poll instead
    /// of ahead of the polls listed after it.
    public static func dueInOrder(_ jobs: [ScheduledJob], from start: Date) -> [JobRequest] {
        jobs.enumerated().map { index, job in
            var request = job.request
            request.runAt = start.addingTimeInterval(Double(index) / 1000)
            return request
        }
    }
}

/// What `apply` did.
public struct AppliedIntegration: Sendable, Encodable {
    /// The integration's name.
    public var integration: String
    /// Its kind.
    public var kind: String
    /// True when it did not exist before.
    public var created: Bool
    /// What the live validation resolved.
    public var resolved: [String]
    /// The recurring jobs scheduled.
    public var scheduled: [String]
}

extension Integration {
    /// Reads a configuration from YAML, checking its shape; errors name the key.
    public func load(yaml: String) throws -> Configuration {
        let configuration = try ConfigurationYAML.decode(Configuration.self, from: yaml)
        guard configuration.kind == kind else { throw ConnectorError.validation(field: "kind", message: "'\(configuration.kind)' is not \(kind)") }
        try configuration.validateShape()
        return configuration
    }

    /// Reads a stored integration's configuration.
    public func configuration(of record: IntegrationRecord) throws -> Configuration {
        do {
            return try JSONDecoder().decode(Configuration.self, from: Data(record.config.utf8))
        } catch {
            throw ConnectorError.permanent("integration \(record.id) has an unreadable configuration; apply it again: \(error)")
        }
    }

    /// Validates `yaml` against the live systems, stores the integration and enqueues its schedules.
    public func apply(yaml: String, context: IntegrationContext) async throws -> AppliedIntegration {
        let configuration = try load(yaml: yaml)
        let connections = try await resolveConnections(configuration.connectionIDs, context: context)
        let resolved = try await validate(configuration, connections: connections, context: context)
        let existing = try await context.store.integration(id: configuration.name)
        let tenant = configuration.tenant ?? roles.keys.sorted().compactMap { connections[$0]?.tenant }.first ?? defaultTenant
        let record = IntegrationRecord(id: configuration.name, tenant: tenant, kind: kind, connections: connections.mapValues(\.id),
                                       config: String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self), state: existing?.state ?? .active,
                                       createdAt: existing?.createdAt ?? context.now)
        try await context.store.saveIntegration(record)
        let jobs = try await schedules(configuration, record: record, connections: connections, context: context)
        try await context.store.apply(ScheduledJob.dueInOrder(jobs, from: context.now).map(StoreWrite.enqueue))
        return AppliedIntegration(integration: record.id, kind: kind, created: existing == nil, resolved: resolved, scheduled: jobs.map(\.summary))
    }

    /// The recurring jobs of a stored integration.
    public func schedules(for record: IntegrationRecord, context: IntegrationContext) async throws -> [ScheduledJob] {
        let configuration = try configuration(of: record)
        return try await schedules(configuration, record: record, connections: try await resolveConnections(record.connections, context: context), context: context)
    }

    /// The webhooks a stored integration wants on `connectionID` (none when it does not use it).
    public func webhooks(for record: IntegrationRecord, connectionID: String, context: IntegrationContext) async throws -> [WantedSubscription] {
        let roles = record.connections.filter { $0.value == connectionID }.map(\.key).sorted()
        guard !roles.isEmpty else { return [] }
        let configuration = try configuration(of: record)
        let connections = try await resolveConnections(record.connections, context: context)
        var wanted: [WantedSubscription] = []
        for role in roles { wanted += try await webhooks(configuration, record: record, role: role, connections: connections, context: context) }
        return wanted
    }

    /// The extra lines of `integration show`.
    public func details(for record: IntegrationRecord, context: IntegrationContext) async -> [String: String] {
        guard let configuration = try? configuration(of: record), let connections = try? await resolveConnections(record.connections, context: context) else { return [:] }
        return await details(configuration, record: record, connections: connections, context: context)
    }

    /// The connections of every role, each checked to exist and be of the role's system.
    func resolveConnections(_ ids: [String: String], context: IntegrationContext) async throws -> [String: Connection] {
        var connections: [String: Connection] = [:]
        for (role, system) in roles.sorted(by: { $0.key < $1.key }) {
            let name = context.catalog.connector(for: system)?.provider.displayName ?? system.rawValue
            guard let id = ids[role] else {
                throw ConnectorError.validation(field: "connections.\(role)", message: "is required: the id of a \(name) connection")
            }
            guard let connection = try await context.store.connection(id: id), connection.system == system else {
                throw ConnectorError.validation(field: "connections.\(role)", message: "'\(id)' is not a connection to \(name); add one with ml-connector connection add \(system.rawValue)")
            }
            connections[role] = connection
        }
        return connections
    }
}
