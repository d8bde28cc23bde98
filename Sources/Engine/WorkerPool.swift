import ConnectorKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Store

/// N workers that claim and run jobs until shutdown. On graceful shutdown they stop claiming;
/// jobs in flight get `shutdownGrace` to finish, then are cancelled and released so another
/// process (or the next start) runs them.
public final class WorkerPool: Service, Sendable {
    /// Runs each claimed job.
    public let runner: JobRunner
    /// How many jobs run at once in this process.
    public let workers: Int
    /// How long an idle worker waits before looking at the queue again.
    public let idlePoll: Duration
    /// How long in-flight jobs may take to finish after shutdown begins.
    public let shutdownGrace: Duration
    /// This process's name in the `worker` column.
    public let workerID: String

    private let doorbell = Doorbell()
    private let stopping = NIOLockedValueBox(false)
    private let logger: Logger

    /// Creates a pool.
    public init(runner: JobRunner, workers: Int = 4, idlePoll: Duration = .milliseconds(500), shutdownGrace: Duration = .seconds(20),
                workerID: String = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)") {
        self.runner = runner
        self.workers = max(1, workers)
        self.idlePoll = idlePoll
        self.shutdownGrace = shutdownGrace
        self.workerID = workerID
        self.logger = runner.logger
    }

    /// Wakes idle workers: call after enqueueing due work in this process.
    public func nudge() {
        Task { await doorbell.ring() }
    }

    public func run() async throws {
        let runner = runner
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<workers {
                    group.addTask { [self] in
                        try await self.workLoop(index: index, runner: runner)
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: { [self] in
            stopping.withLockedValue { $0 = true }
            Task { await doorbell.ring() }
        }
        logger.info("workers stopped")
    }

    private func workLoop(index: Int, runner: JobRunner) async throws {
        let name = "\(workerID)#\(index)"
        while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
            let claims: [JobClaim]
            do {
                claims = try await runner.store.claimJobs(worker: name, kinds: runner.registry.kinds, limit: 1, lease: runner.lease, now: Date())
            } catch {
                logger.warning("could not claim jobs; retrying", metadata: ["error": "\(error)"])
                await doorbell.wait(timeout: .seconds(2))
                continue
            }
            guard let claim = claims.first else {
                await doorbell.wait(timeout: idlePoll)
                continue
            }
            await runWithGrace(claim, runner: runner)
        }
    }

    /// Runs a job; if shutdown begins meanwhile and the grace period passes, cancels it (the
    /// runner then releases the claim).
    private func runWithGrace(_ claim: JobClaim, runner: JobRunner) async {
        let job = Task { await runner.run(claim) }
        let watchdog = Task { [stopping, shutdownGrace] in
            while !Task.isCancelled && !stopping.withLockedValue({ $0 }) {
                try? await Task.sleep(for: .milliseconds(200))
            }
            if Task.isCancelled { return }
            try? await Task.sleep(for: shutdownGrace)
            if !Task.isCancelled { job.cancel() }
        }
        _ = await job.value
        watchdog.cancel()
    }
}
