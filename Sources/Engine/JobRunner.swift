import ConnectorKit
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import Store

/// Runs one claimed job attempt from start to stored result: binds an exchange recorder so
/// every outbound request lands in the audit entry, keeps the lease alive with heartbeats,
/// and stores the outcome — done with its writes, another attempt later, or a dead letter.
public struct JobRunner: Sendable {
    /// Where jobs and their results live.
    public let store: any Store
    /// The handlers by kind.
    public var registry: JobRegistry
    /// When failed jobs run again.
    public var retry: RetrySchedule
    /// How long a claim lasts without a heartbeat.
    public let lease: Duration
    /// Logs of job attempts.
    public var logger: Logger
    /// Completions of this runner's jobs, committed in shared transactions.
    var completions: JobCompletions
    /// The leases of this runner's running jobs.
    let leases: LeaseKeeper
    /// How many claims of one job may end without a result (its worker killed, its lease lost)
    /// before the job is taken for what kills its workers and moved to dead letters. Apart from
    /// the job's own `maxAttempts`, which counts failures: a crash is not the job's failure, and
    /// a job that may fail once (`maxAttempts` 1) must still survive a restart.
    public var lostClaimLimit: Int = 20

    /// Creates a runner.
    public init(store: any Store, registry: JobRegistry, retry: RetrySchedule = RetrySchedule(), lease: Duration = .seconds(60), logger: Logger = Logger(label: "ml-connector.engine")) {
        self.store = store
        self.registry = registry
        self.retry = retry
        self.lease = lease
        self.logger = logger
        self.completions = JobCompletions(store: store)
        self.leases = LeaseKeeper(store: store, lease: lease, logger: logger)
    }

    /// How an attempt ended, for callers that count.
    public enum Result: Sendable, Equatable {
        case succeeded, unchanged, retrying, dead, released, leaseLost
    }

    /// Runs `claim` and stores its result.
    @discardableResult
    public func run(_ claim: JobClaim) async -> Result {
        await run(claim, heldAs: nil)
    }

    /// Runs `claim`, whose lease `leases` may already keep under `held` (a claim that waited in
    /// the pool's buffer); a claim whose lease was lost while it waited does not start.
    /// `whenHandled` is called once the handler succeeded and its completion waits for its
    /// commit: the worker may start its next job then, while this call still returns only after
    /// the commit (and keeps the lease until it).
    @discardableResult
    func run(_ claim: JobClaim, heldAs held: Int?, whenHandled: @Sendable () -> Void = {}) async -> Result {
        let job = claim.job
        var logger = logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "kind"] = "\(job.kind)"
        let started = ContinuousClock.now
        let now = Date()

        // The lease is watched from before the attempt starts until its result is stored; a
        // lost lease cancels the handler once it runs.
        let lost = NIOLockedValueBox(false)
        let running = NIOLockedValueBox<Task<JobOutcome, any Error>?>(nil)
        let onLost: @Sendable () -> Void = {
            lost.withLockedValue { $0 = true }
            running.withLockedValue { $0 }?.cancel()
        }
        let ticket: Int
        if let held {
            guard leases.attach(held, onLost: onLost) else {
                logger.info("a buffered claim was taken over before it started; another worker runs it")
                return .leaseLost
            }
            ticket = held
        } else {
            ticket = leases.hold(claim, renewed: .now, onLost: onLost)
        }
        defer { leases.release(ticket) }

        // Claims before this one that stored no result: their workers died, or lost the lease.
        let lostClaims = job.attempts - 1 - job.failures
        if lostClaims >= lostClaimLimit {
            let error = ConnectorError.permanent("the job's worker stopped before finishing \(lostClaims) times (the limit is \(lostClaimLimit)); the job may be what stops it: look in the server's log for a crash while it ran, then replay it")
            return await bury(claim, error: error, exchanges: [], started: started, logger: logger)
        }
        guard let handler = registry.handler(for: job.kind) else {
            return await bury(claim, error: ConnectorError.permanent("no handler runs jobs of kind \(job.kind)"), exchanges: [], started: started, logger: logger)
        }

        let recorder = ExchangeRecorder()
        let context = JobContext(store: store, attempt: job.attempts, now: now, logger: logger, claim: claim)
        let work = Task {
            try await ExchangeRecorder.$current.withValue(recorder) {
                try await handler.run(job, context: context)
            }
        }
        running.withLockedValue { $0 = work }
        if lost.withLockedValue({ $0 }) { work.cancel() }

        do {
            let outcome = try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            // The lease is kept until the completion has committed (the defer above): a
            // completion waiting on a slow store must not let another worker take the job.
            if lost.withLockedValue({ $0 }) { throw StoreError.leaseLost(jobID: job.id) }
            let entry = audit(job, outcome: outcome.unchanged ? .unchanged : .succeeded, error: nil, exchanges: recorder.recorded, started: started,
                              sourceRef: outcome.sourceRef, targetRef: outcome.targetRef, action: outcome.action)
            try await completions.complete(JobCompletion(claim: claim, writes: outcome.writes, audit: entry, now: Date()), whenSubmitted: whenHandled)
            observe(job, outcome: outcome.unchanged ? "unchanged" : "succeeded", started: started)
            logger.debug("job done", metadata: ["outcome": "\(outcome.unchanged ? "unchanged" : "succeeded")"])
            return outcome.unchanged ? .unchanged : .succeeded
        } catch _ where lost.withLockedValue({ $0 }) {
            // Whatever the handler threw on its way out, the job belongs to another worker now.
            logger.warning("job lost its lease; its handler was stopped and its writes refused")
            return .leaseLost
        } catch let error as StoreError where error == .leaseLost(jobID: job.id) {
            logger.warning("job lost its lease; another worker runs it now")
            return .leaseLost
        } catch is CancellationError {
            do {
                // This task is cancelled and database clients refuse work in a cancelled task;
                // the release runs in a task of its own.
                try await Task { [store] in try await store.releaseJob(claim) }.value
                logger.info("job released for another worker (shutting down)")
                return .released
            } catch {
                logger.warning("could not release job; it runs again when its lease ends", metadata: ["error": "\(error)"])
                return .leaseLost
            }
        } catch {
            // `maxAttempts` counts tries that ended in a failure; claims lost with their workers
            // are bounded by `lostClaimLimit` instead.
            if RetrySchedule.isRetryable(error), job.failures + 1 < job.maxAttempts {
                var generator = SystemRandomNumberGenerator()
                // The backoff grows with failures, not attempts: a claim that died with its
                // worker (SIGKILL) failed nothing. A recurring job never backs off longer than its own interval.
                let delay = retry.delay(afterAttempt: job.failures + 1, error: error, ceiling: job.repeatEveryMs.map { .milliseconds($0) }, using: &generator)
                let runAt = Date().addingTimeInterval(delay.timeInterval)
                let entry = audit(job, outcome: .retrying, error: error, exchanges: recorder.recorded, started: started)
                do {
                    try await store.retryJob(claim, at: runAt, error: SecretRedactor.shared.redact(String(describing: error)), audit: entry)
                } catch {
                    logger.warning("could not schedule the retry; the job runs again when its lease ends", metadata: ["error": "\(error)"])
                    return .leaseLost
                }
                observe(job, outcome: "retrying", started: started)
                logger.info("job failed; will retry", metadata: ["attempt": "\(job.attempts)", "delay_ms": "\(Backoff.milliseconds(delay))", "error": "\(error)"])
                return .retrying
            }
            return await bury(claim, error: error, exchanges: recorder.recorded, started: started, logger: logger)
        }
    }

    private func bury(_ claim: JobClaim, error: any Error, exchanges: [ExchangeSummary], started: ContinuousClock.Instant, logger: Logger) async -> Result {
        let entry = audit(claim.job, outcome: .dead, error: error, exchanges: exchanges, started: started)
        do {
            _ = try await store.deadLetterJob(claim, error: SecretRedactor.shared.redact(String(describing: error)), errorKind: RetrySchedule.kind(of: error), audit: entry)
        } catch {
            logger.warning("could not store the dead letter; the job runs again when its lease ends", metadata: ["error": "\(error)"])
            return .leaseLost
        }
        observe(claim.job, outcome: "dead", started: started)
        logger.error("job moved to dead letters", metadata: ["error": "\(error)"])
        return .dead
    }

    private func audit(_ job: JobRecord, outcome: AuditOutcome, error: (any Error)?, exchanges: [ExchangeSummary], started: ContinuousClock.Instant,
                       sourceRef: String? = nil, targetRef: String? = nil, action: String? = nil) -> AuditEntry {
        return AuditEntry(
            tenant: job.tenant,
            integrationID: job.integrationID,
            jobID: job.id,
            attempt: job.attempts,
            connectionID: job.connectionID,
            sourceRef: sourceRef ?? PayloadRefs.sourceRef(in: job),
            targetRef: targetRef,
            action: action ?? job.kind,
            outcome: outcome,
            error: error.map { SecretRedactor.shared.redact(String(describing: $0)) },
            durationMs: Int(Backoff.milliseconds(ContinuousClock.now - started)),
            exchanges: exchanges
        )
    }

    private func observe(_ job: JobRecord, outcome: String, started: ContinuousClock.Instant) {
        Counter(label: "mlc_jobs_total", dimensions: [("kind", job.kind), ("outcome", outcome)]).increment()
        Timer(label: "mlc_job_duration_seconds", dimensions: [("kind", job.kind)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Backoff.milliseconds(ContinuousClock.now - started) * 1_000_000)
    }
}

/// The refs a job payload may carry, read for the audit trail whatever the job's kind.
struct PayloadRefs: Decodable {
    var event: ChangeEvent?
    var sourceRef: String?

    /// The record `job` is about, when its payload names one. A payload with neither key is
    /// not decoded: in a queue of small jobs, decoding every payload was a twentieth of the CPU.
    static func sourceRef(in job: JobRecord) -> String? {
        guard mayNameARef(job.payload) else { return nil }
        let refs = try? job.decodePayload(PayloadRefs.self)
        return refs?.event?.ref.description ?? refs?.sourceRef
    }

    /// True when `payload` holds the text `"event"` or `"sourceRef"`, found by one pass over its
    /// bytes (the generic substring search was a twentieth of a no-op job's CPU).
    static func mayNameARef(_ payload: String) -> Bool {
        var payload = payload
        return payload.withUTF8 { bytes in
            let event = Array(#""event""#.utf8), sourceRef = Array(#""sourceRef""#.utf8)
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\""), let next = index + 1 < bytes.count ? bytes[index + 1] : nil,
                   next == UInt8(ascii: "e") || next == UInt8(ascii: "s") {
                    let key = next == UInt8(ascii: "e") ? event : sourceRef
                    if index + key.count <= bytes.count, bytes[index..<(index + key.count)].elementsEqual(key) { return true }
                }
                index += 1
            }
            return false
        }
    }
}
