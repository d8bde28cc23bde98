import ConnectorKit
import Store

/// Group commit for webhook ingest: deliveries that arrive while a transaction is writing wait
/// for the next one and share it, so under load one commit (one fsync, one lock hand-off)
/// carries many deliveries, and a lone delivery still commits at once. Each caller resumes only
/// after the transaction holding its items has committed, so a 200 still means "durably
/// recorded and enqueued".
///
/// What callers hand in (`Delivery`) becomes inbox items through `resolve`, once per batch, so
/// the reads that turn a delivery into jobs are shared by the batch too.
public actor IngestBatcher<Delivery: Sendable> {
    private struct Waiter {
        var delivery: Delivery
        var continuation: CheckedContinuation<[InboxItem], any Error>
    }

    private let store: any Store
    private let resolve: @Sendable ([Delivery]) async throws -> [[InboxItem]]
    private let maximumDeliveries: Int
    private var waiting: [Waiter] = []
    private var writing = false
    /// Transactions written and deliveries they carried (for tests and metrics).
    public private(set) var transactions = 0
    public private(set) var deliveries = 0

    /// Creates a batcher over `store`; one transaction carries at most `maximumDeliveries`
    /// deliveries. `resolve` turns a batch's deliveries into their inbox items, one array each.
    public init(store: any Store, maximumDeliveries: Int = 256, resolve: @escaping @Sendable ([Delivery]) async throws -> [[InboxItem]]) {
        self.store = store
        self.maximumDeliveries = max(1, maximumDeliveries)
        self.resolve = resolve
    }

    /// Records `delivery`'s items in the inbox and enqueues the jobs of those not seen before,
    /// in a transaction shared with concurrent callers; returns the items that were new, once
    /// that transaction has committed.
    public func ingest(_ delivery: Delivery) async throws -> [InboxItem] {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(delivery: delivery, continuation: continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    /// Writes batches until no one waits. Callers arriving during a write queue up for the next.
    private func drain() async {
        while !waiting.isEmpty {
            let taken = min(waiting.count, maximumDeliveries)
            let batch = Array(waiting.prefix(taken))
            waiting.removeFirst(taken)
            await write(batch)
        }
        writing = false
    }

    private func write(_ batch: [Waiter]) async {
        let groups: [[InboxItem]]
        do {
            groups = try await resolve(batch.map(\.delivery))
            guard groups.count == batch.count else { throw IngestBatchError.resolvedCountMismatch(deliveries: batch.count, groups: groups.count) }
        } catch where batch.count > 1 {
            // One delivery's failure must not fail its neighbours: each on its own.
            for waiter in batch { await write([waiter]) }
            return
        } catch {
            batch[0].continuation.resume(throwing: error)
            return
        }
        await commit(batch, groups)
    }

    /// Writes resolved groups in one transaction; if it fails, each group alone, without
    /// resolving again (resolving audits unrouted changes, and reads the store).
    private func commit(_ batch: [Waiter], _ groups: [[InboxItem]]) async {
        do {
            let fresh = try await store.ingest(groups.flatMap { $0 })
            transactions += 1
            deliveries += batch.count
            for (waiter, mine) in zip(batch, Self.split(fresh: fresh, among: groups)) {
                waiter.continuation.resume(returning: mine)
            }
        } catch where batch.count > 1 {
            for (waiter, group) in zip(batch, groups) { await commit([waiter], [group]) }
        } catch {
            batch[0].continuation.resume(throwing: error)
        }
    }

    /// Which caller each new item belongs to. `fresh` is the subsequence of the concatenated
    /// groups that was inserted, in order; an event repeated across groups is new for the
    /// first group that carried it only (the later copy met the conflict), so matching each
    /// fresh item to the next item of the same event, in order, gives every group its own.
    static func split(fresh: [InboxItem], among groups: [[InboxItem]]) -> [[InboxItem]] {
        var result = groups.map { _ in [InboxItem]() }
        var next = fresh.makeIterator()
        var wanted = next.next()
        for (group, items) in groups.enumerated() {
            for item in items {
                guard let candidate = wanted else { return result }
                if candidate.system == item.system, candidate.event.eventID == item.event.eventID {
                    result[group].append(item)
                    wanted = next.next()
                }
            }
        }
        return result
    }
}

/// A batch could not be written as given.
public enum IngestBatchError: Error, Equatable {
    /// `resolve` returned a different number of item arrays than it was given deliveries.
    case resolvedCountMismatch(deliveries: Int, groups: Int)
}
