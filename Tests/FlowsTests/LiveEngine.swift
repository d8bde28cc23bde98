import ConnectorKit
import Foundation
import Engine
import Flows
import Logging
import Server
import ServiceLifecycle
import Store
import TestSupport

/// The engine as `serve` runs it, for the Flows tests: every system job of the catalog plus the
/// test's own handlers, four workers with short retries, and the HTTP app with the webhook
/// ingress on loopback.
struct LiveEngine {
    let pool: WorkerPool
    let server: LoopbackServer
    let group: ServiceGroup
    let running: _Concurrency.Task<Void, any Error>

    /// Short retries, so a test sees a failed job run again within its wait.
    static let quickRetry = RetrySchedule(base: .milliseconds(200), cap: .seconds(1))

    /// The ingress's address, for webhook registration.
    var baseURL: String { server.baseURL }

    /// Starts it; `extra` are integration handlers, whose kinds polls and webhooks route to.
    static func start(store: SQLStore, pipeline: HTTPPipeline, extra: [any JobHandler], retry: RetrySchedule = quickRetry) async throws -> LiveEngine {
        var logger = Logger(label: "live")
        logger.logLevel = .critical
        let catalog = SystemCatalog(pipeline: pipeline, publicURL: nil)
        let registry = JobRegistry(catalog.handlers(routableKinds: Set(extra.map(\.kind))) + extra)
        let pool = WorkerPool(runner: JobRunner(store: store, registry: registry, retry: retry, logger: logger), workers: 4, idlePoll: .milliseconds(25))
        let ingress = WebhookIngress(store: store, verifiers: catalog.verifiers, router: TriggerRouter(store: store, kinds: registry.kinds), onEnqueued: { pool.nudge() }, logger: logger)
        let server = try await LoopbackServer.start(ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress, logger: logger).makeRouter())
        let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: logger))
        let running = _Concurrency.Task { try await group.run() }
        return LiveEngine(pool: pool, server: server, group: group, running: running)
    }

    /// Lets jobs in flight finish, then stops the workers and the server.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await server.stop()
    }
}

/// Starts the engine for `body` and stops it (jobs in flight finish) before returning, also when
/// `body` throws.
func withLiveEngine<Value>(
    store: SQLStore, pipeline: HTTPPipeline, extra: [any JobHandler], retry: RetrySchedule = LiveEngine.quickRetry,
    _ body: (LiveEngine) async throws -> Value
) async throws -> Value {
    try await withStarted({ try await LiveEngine.start(store: store, pipeline: pipeline, extra: extra, retry: retry) }, stop: { await $0.stop() }, body)
}

/// Waits until no job is due or running (recurring upkeep is always scheduled ahead: only work
/// that is due counts).
func untilIdle(_ store: SQLStore, timeout: Duration = .seconds(30), diagnostics: @escaping () async throws -> String) async throws {
    try await eventually("an idle queue", timeout: timeout, diagnostics: diagnostics) {
        let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(2) }
        let running = try await store.jobCounts()[.running, default: 0]
        return due.isEmpty && running == 0
    }
}
