import ConnectorKit
import Engine
import Foundation
import Store

/// The integration kinds this build runs, and the operations that work for any of them.
public struct IntegrationRegistry: Sendable {
    /// The kinds, by name.
    public let integrations: [any Integration]

    /// Creates the registry (the registered kinds by default).
    public init(_ integrations: [any Integration] = Registry.integrations) {
        self.integrations = integrations
    }

    /// The integration of `kind`; the error lists the kinds there are.
    public func integration(kind: String) throws -> any Integration {
        guard let integration = integrations.first(where: { $0.kind == kind }) else {
            throw ConnectorError.validation(field: "kind", message: "'\(kind)' is not an integration kind; use one of: \(integrations.map(\.kind).joined(separator: ", "))")
        }
        return integration
    }

    /// Every handler of every kind.
    public func handlers(pipeline: HTTPPipeline) -> [any JobHandler] {
        integrations.flatMap { $0.handlers(pipeline: pipeline) }
    }

    /// The change-job kinds polls and webhooks route to.
    public var changeKinds: Set<String> {
        Set(integrations.map { TriggerRouter.changeKind(forIntegrationKind: $0.kind) })
    }

    /// Applies a YAML file of any registered kind (its `kind:` key chooses).
    public func apply(yaml: String, context: IntegrationContext) async throws -> AppliedIntegration {
        struct Head: Decodable { var kind: String }
        let head = try ConfigurationYAML.decode(Head.self, from: yaml)
        return try await integration(kind: head.kind).apply(yaml: yaml, context: context)
    }

    /// The recurring jobs of a stored integration.
    public func schedules(for record: IntegrationRecord, context: IntegrationContext) async throws -> [ScheduledJob] {
        try await integration(kind: record.kind).schedules(for: record, context: context)
    }

    /// Every webhook the integrations using `connectionID` want, each resource once (a paused
    /// integration keeps its webhooks: its changes wait rather than vanish).
    public func webhooks(forConnection connectionID: String, context: IntegrationContext) async throws -> [WantedSubscription] {
        var wanted: [WantedSubscription] = []
        var seen = Set<String>()
        for record in try await context.store.integrations(usingConnection: connectionID) {
            for subscription in try await integration(kind: record.kind).webhooks(for: record, connectionID: connectionID, context: context)
            where seen.insert(subscription.resource).inserted {
                wanted.append(subscription)
            }
        }
        return wanted
    }

    /// Enqueues an integration's polls (and upkeep) to run now ("run", "resume").
    @discardableResult
    public func runNow(_ record: IntegrationRecord, context: IntegrationContext) async throws -> Int {
        let jobs = ScheduledJob.dueInOrder(try await schedules(for: record, context: context), from: context.now)
        try await context.store.apply(jobs.map(StoreWrite.enqueue))
        return jobs.count
    }

    /// Re-seeds the schedules of every active integration (`serve` at start): coalescing keys
    /// make this idempotent, and an interval changed in a configuration takes effect. First
    /// runs are spread over up to a minute, so a restart does not fire every poll at once. An
    /// integration whose schedules cannot be made is reported and skipped, not fatal.
    public func ensureSchedules(context: IntegrationContext, report: @Sendable (String, any Error) -> Void) async throws {
        for record in try await context.store.integrations(tenant: nil) where record.state == .active {
            do {
                let jobs = try await schedules(for: record, context: context).map { job in
                    var request = job.request
                    let spread = min(60, Double(request.repeatEvery?.components.seconds ?? 60))
                    request.runAt = context.now.addingTimeInterval(Double.random(in: 0...max(0, spread)))
                    return request
                }
                try await context.store.apply(jobs.map(StoreWrite.enqueue))
            } catch {
                report(record.id, error)
            }
        }
    }
}
