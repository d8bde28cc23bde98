/// Group commit: callers that arrive while a batch is being written wait for the next one and
/// share it, so under load one transaction (one commit, one WAL write of the pages it touched)
/// carries many callers' work, and a lone caller still writes at once, without waiting for
/// company. Each caller resumes with its own result only after the batch holding it was
/// written, so a result still means "durably stored".
///
/// `write` decides each item's result: it returns one per item, in order. A batch that fails
/// as a whole is for `write` to split (each item alone, so one bad item fails only itself).
public actor GroupCommit<Item: Sendable, Output: Sendable> {
    /// Writes a batch and returns each item's result, in the items' order.
    public typealias Write = @Sendable ([Item]) async -> [Result<Output, any Error>]

    private struct Waiter {
        var item: Item
        var continuation: CheckedContinuation<Output, any Error>
    }

    private let write: Write
    private let maximumBatch: Int
    private var waiting: [Waiter] = []
    private var writing = false
    /// Batches written and items they carried (for tests and metrics).
    public private(set) var batches = 0
    public private(set) var items = 0

    /// Creates a group commit whose batches hold at most `maximumBatch` items.
    public init(maximumBatch: Int, write: @escaping Write) {
        self.maximumBatch = max(1, maximumBatch)
        self.write = write
    }

    /// Writes `item` in the next batch and returns its result once that batch is written;
    /// `whenQueued` runs as soon as the item waits for its batch.
    public func submit(_ item: Item, whenQueued: @Sendable () -> Void = {}) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(item: item, continuation: continuation))
            whenQueued()
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    /// Writes batches until no one waits. Callers arriving during a write queue up for the next.
    private func drain() async {
        while !waiting.isEmpty {
            let taken = min(waiting.count, maximumBatch)
            let batch = Array(waiting.prefix(taken))
            waiting.removeFirst(taken)
            let results = await write(batch.map { $0.item })
            batches += 1
            items += batch.count
            for (index, waiter) in batch.enumerated() {
                guard index < results.count else {
                    waiter.continuation.resume(throwing: GroupCommitError.resultCountMismatch(items: batch.count, results: results.count))
                    continue
                }
                waiter.continuation.resume(with: results[index])
            }
        }
        writing = false
    }
}

/// A batch's results did not match its items.
public enum GroupCommitError: Error, Equatable {
    /// `write` returned fewer results than it was given items; the items without one get this.
    case resultCountMismatch(items: Int, results: Int)
}

/// Runs `write` on the whole batch; if it throws an error `splittable` accepts (by default any),
/// runs it again on each item alone, so a failure one item causes stays with that item. An error
/// that is not split (the store is down, say) is every item's result.
public func writingEachAloneIfBatchFails<Item, Output>(
    _ batch: [Item],
    splittable: (any Error) -> Bool = { _ in true },
    _ write: ([Item]) async throws -> [Result<Output, any Error>]
) async -> [Result<Output, any Error>] {
    do {
        return try await write(batch)
    } catch where batch.count > 1 && splittable(error) {
        var results: [Result<Output, any Error>] = []
        for item in batch { results += await writingEachAloneIfBatchFails([item], splittable: splittable, write) }
        return results
    } catch {
        return batch.map { _ in .failure(error) }
    }
}
