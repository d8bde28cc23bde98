import Store

/// Stores job completions by group commit: the jobs that finish while a completion is being
/// written share the next transaction, so a busy queue commits once per batch of jobs rather
/// than once per job, and a lone job still commits at once. A job's runner resumes only after
/// its completion committed.
struct JobCompletions: Sendable {
    private let group: GroupCommit<JobCompletion, Void>

    /// Creates the completions of `store`, at most `maximumBatch` per transaction.
    init(store: any Store, maximumBatch: Int = 128) {
        self.init(maximumBatch: maximumBatch) { batch in await Self.write(batch, store: store) }
    }

    /// Creates completions written by `write` (tests hold commits back with it).
    init(maximumBatch: Int = 128, write: @escaping GroupCommit<JobCompletion, Void>.Write) {
        group = GroupCommit(maximumBatch: maximumBatch, write: write)
    }

    /// Stores `completion`; throws `leaseLost` when its claim is stale, or the store's error.
    /// `whenSubmitted` runs once the completion is queued for the next commit.
    func complete(_ completion: JobCompletion, whenSubmitted: @Sendable () -> Void = {}) async throws {
        try await group.submit(completion, whenQueued: whenSubmitted)
    }

    /// Writes a batch in one transaction. If it fails for something one job's writes can cause
    /// (a broken constraint, say), each completion is written alone, so the failure stays with
    /// the job that caused it; if the store is unreachable or busy, every completion in the
    /// batch gets that error at once, rather than waiting it out once per job.
    static func write(_ batch: [JobCompletion], store: any Store) async -> [Result<Void, any Error>] {
        await writingEachAloneIfBatchFails(batch, splittable: { !StoreError.isOutage($0) }) { completions in
            try await store.completeJobs(completions).map { $0.map { .failure($0) } ?? .success(()) }
        }
    }
}
