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
        // The workers run in a task of their own, so the grace timer can cancel them: a job
        // runs inside its worker's loop, with no task of its own to watch it.
        let work = Task { [self] in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<workers {
                    group.addTask { try await self.workLoop(index: index, runner: runner) }
                }
                try await group.waitForAll()
            }
        }
        let graceTimer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } onGracefulShutdown: { [self] in
            stopping.withLockedValue { $0 = true }
            Task { await doorbell.ring() }
            // Jobs in flight get the grace period to finish; then they are cancelled, and the
            // runner releases each for another process (or the next start).
            let timer = Task { [shutdownGrace] in
                try? await Task.sleep(for: shutdownGrace)
                if !Task.isCancelled { work.cancel() }
            }
            graceTimer.withLockedValue { $0 = timer }
        }
        graceTimer.withLockedValue { $0?.cancel() }
        logger.info("workers stopped")
    }

    private func workLoop(index: Int, runner: JobRunner) async throws {
        let name = "\(workerID)#\(index)"
        while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
            let claims: [JobClaim]
            do {
                claims = try await runner.store.claimJobs(worker: name, kinds: runner.registry.kinds, limit: 1, lease: runner.lease, now: Date())
            } catch {
                if Task.isCancelled { return }
                logger.warning("could not claim jobs; retrying", metadata: ["error": "\(error)"])
                await doorbell.wait(timeout: .seconds(2))
                continue
            }
            guard let claim = claims.first else {
                await doorbell.wait(timeout: idlePoll)
                continue
            }
            await runner.run(claim)
        }
    }
}
