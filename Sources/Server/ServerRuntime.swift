import ConnectorKit
import Engine
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Store

/// Everything a running server is made of, assembled once: store, job engine, webhook ingress
/// and HTTP app, run together under swift-service-lifecycle so that SIGTERM/SIGINT stop taking
/// work, let in-flight jobs finish (or release them) and close the store.
public struct ServerRuntime: Sendable {
    /// The store.
    public var store: any Store
    /// Listen address and worker count.
    public var configuration: ServerConfiguration
    /// Job handlers of every integration and system in this build.
    public var registry: JobRegistry
    /// Webhook verifiers of every system in this build.
    public var verifiers: [any WebhookVerifier]
    /// Server logs.
    public var logger: Logger

    /// Assembles a runtime.
    public init(store: any Store, configuration: ServerConfiguration, registry: JobRegistry, verifiers: [any WebhookVerifier], logger: Logger = Logger(label: "ml-connector")) {
        self.store = store
        self.configuration = configuration
        self.registry = registry
        self.verifiers = verifiers
        self.logger = logger
    }

    /// The worker pool that runs this runtime's jobs.
    public func makeWorkerPool() -> WorkerPool {
        WorkerPool(runner: JobRunner(store: store, registry: registry, lease: configuration.jobLease, logger: logger), workers: configuration.workers)
    }

    /// The HTTP app, wired to wake `pool` when a webhook enqueues work.
    public func makeApp(waking pool: WorkerPool?) -> ServerApp {
        let router = TriggerRouter(store: store, kinds: registry.kinds)
        let ingress = WebhookIngress(store: store, verifiers: verifiers, router: router, onEnqueued: { pool?.nudge() }, logger: logger, handshakeWindow: configuration.handshakeWindow)
        return ServerApp(configuration: configuration, store: store, ingress: ingress, logger: logger)
    }

    /// Runs the server and workers until a shutdown signal; `onReady` gets the bound port.
    public func run(onReady: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await serviceGroup(onReady: onReady).run()
    }

    /// The server, workers, retention sweeper and rejection flusher as one service group that
    /// stops on SIGTERM and SIGINT (unless `onSignals` is false) or on `triggerGracefulShutdown()` (a benchmark or test runs the very
    /// server `serve` runs, and stops it without a signal).
    public func serviceGroup(onSignals: Bool = true, onReady: (@Sendable (Int) async -> Void)? = nil) -> ServiceGroup {
        Telemetry.bootstrap()
        let pool = makeWorkerPool()
        let app = makeApp(waking: pool)
        let application = app.makeApplication(onServerRunning: { channel in
            await onReady?(channel.localAddress?.port ?? 0)
        })
        let sweeper = RetentionSweeper(store: store, policy: configuration.retention, logger: logger)
        let flusher = RejectionFlusher(ledger: app.ingress.rejections, logger: logger)
        return ServiceGroup(
            configuration: .init(
                services: [.init(service: application), .init(service: pool), .init(service: sweeper), .init(service: flusher)],
                gracefulShutdownSignals: onSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
    }
}
