import ConnectorKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Store

/// N workers that run jobs until shutdown. The pool claims jobs in batches into a buffer its
/// workers take from (see `ClaimBuffer`), and their completions share transactions (see
/// `JobCompletions`), so a busy queue costs a few commits per batch rather than two per job.
/// On graceful shutdown workers stop taking jobs; jobs in flight get `shutdownGrace` to finish,
/// then are cancelled and released, and claims no worker started are released, so another
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
    private let buffer: ClaimBuffer<BufferedClaim>
    private let stopping = NIOLockedValueBox(false)
    private let logger: Logger

    /// The most jobs one claim may take, whatever a caller asks.
    public static let claimBatchLimit = 1_000

    /// Creates a pool whose claims take from one up to `maximumClaimBatch` jobs at once
    /// (1–`claimBatchLimit`).
    public init(runner: JobRunner, workers: Int = 4, maximumClaimBatch: Int = 64, idlePoll: Duration = .milliseconds(500), shutdownGrace: Duration = .seconds(20),
                workerID: String = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)") {
        self.runner = runner
        self.workers = max(1, workers)
        // A claim starts at one job, so a worker freed among busy ones takes no work it
        // cannot start; quick jobs grow the batch within a few claims.
        self.buffer = ClaimBuffer(minimumBatch: 1, maximumBatch: min(maximumClaimBatch, Self.claimBatchLimit))
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
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.workLoop(runner: runner) }
                }
                await group.waitForAll()
            }
        }
        let graceTimer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        } onGracefulShutdown: { [self] in
            stopping.withLockedValue { $0 = true }
            Task { await doorbell.ring() }
            // Claims no worker has started go back at once, not after the jobs in flight.
            Task { await releaseBuffered() }
            // Jobs in flight get the grace period to finish; then they are cancelled, and the
            // runner releases each for another process (or the next start).
            let timer = Task { [shutdownGrace] in
                try? await Task.sleep(for: shutdownGrace)
                if !Task.isCancelled { work.cancel() }
            }
            graceTimer.withLockedValue { $0 = timer }
        }
        graceTimer.withLockedValue { $0?.cancel() }
        await releaseBuffered()
        logger.info("workers stopped")
    }

    /// Releases the claims no worker started, so another process runs them now rather than
    /// when their leases end (and without counting an attempt).
    private func releaseBuffered() async {
        for buffered in await buffer.drain() { await release(buffered) }
    }

    /// Puts a claim no worker started back in the queue and stops keeping its lease.
    private func release(_ buffered: BufferedClaim) async {
        let store = runner.store
        do {
            // The pool's task may be cancelled, and database clients refuse work in a
            // cancelled task; the release runs in a task of its own.
            try await Task { try await store.releaseJob(buffered.claim) }.value
        } catch {
            logger.warning("could not release a buffered job; it runs again when its lease ends", metadata: ["job": "\(buffered.claim.job.id)", "error": "\(error)"])
        }
        runner.leases.release(buffered.ticket)
    }

    /// The most jobs of one worker whose handlers are done and whose completions wait for
    /// their commit. The worker starts its next job as soon as a handler is done, so completions
    /// gather into large shared commits instead of each worker waiting out one commit per job;
    /// past this many, it waits for the oldest to commit.
    static let storingPerWorker = 32

    private func workLoop(runner: JobRunner) async {
        let kinds = runner.registry.kinds
        let doorbell = doorbell
        // A job runs as a child task, so the worker can move on while its completion commits;
        // the group waits for every child before the worker ends.
        await withTaskGroup(of: Void.self) { storing in
            var started = 0
            while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
                let next = await buffer.next { limit in
                    let claimedAt = ContinuousClock.now
                    let claims = try await runner.store.claimJobs(worker: workerID, kinds: kinds, limit: limit, lease: runner.lease, now: Date())
                    // Idle workers asleep on the doorbell take the rest of the batch.
                    if claims.count > 1 { await doorbell.ring() }
                    // Each lease is kept from now on, while the claim waits for a worker too.
                    return claims.map { BufferedClaim(claim: $0, ticket: runner.leases.hold($0, renewed: claimedAt)) }
                }
                switch next {
                case .job(let buffered) where stopping.withLockedValue({ $0 }):
                    // Shutdown began while the claim was made: not started, so released at once.
                    await release(buffered)
                case .job(let buffered):
                    while started >= Self.storingPerWorker, await storing.next() != nil { started -= 1 }
                    let (handled, done) = AsyncStream<Void>.makeStream()
                    storing.addTask {
                        await runner.run(buffered.claim, heldAs: buffered.ticket) { done.finish() }
                        done.finish()
                    }
                    started += 1
                    // The worker's turn ends when the handler is done, not when its commit is.
                    for await _ in handled {}
                case .empty:
                    await doorbell.wait(timeout: idlePoll)
                case .again:
                    continue
                case .failed(let error):
                    if Task.isCancelled { return }
                    logger.warning("could not claim jobs; retrying", metadata: ["error": "\(error)"])
                    await doorbell.wait(timeout: .seconds(2))
                }
            }
        }
    }
}

/// A claim in the pool's buffer, and the ticket under which the runner's lease keeper keeps it.
struct BufferedClaim: Sendable {
    var claim: JobClaim
    var ticket: Int
}
