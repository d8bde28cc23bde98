import ConnectorKit
import Store

/// Group commit for webhook ingest: deliveries that arrive while a transaction is writing wait
/// for the next one and share it (see `GroupCommit`), so under load one commit carries many
/// deliveries, and a lone delivery still commits at once. Each caller resumes only after the
/// transaction holding its items has committed, so a 200 still means "durably recorded and
/// enqueued".
///
/// What callers hand in (`Delivery`) becomes inbox items through `resolve`, once per batch, so
/// the reads that turn a delivery into jobs are shared by the batch too.
public final class IngestBatcher<Delivery: Sendable>: Sendable {
    private let group: GroupCommit<Delivery, [InboxItem]>

    /// Transactions written (batches) and deliveries they carried (for tests and metrics).
    public var transactions: Int { get async { await group.batches } }
    public var deliveries: Int { get async { await group.items } }

    /// Creates a batcher over `store`; one transaction carries at most `maximumDeliveries`
    /// deliveries. `resolve` turns a batch's deliveries into their inbox items, one array each.
    public init(store: any Store, maximumDeliveries: Int = 256, resolve: @escaping @Sendable ([Delivery]) async throws -> [[InboxItem]]) {
        group = GroupCommit(maximumBatch: maximumDeliveries) { deliveries in
            await Self.write(deliveries, store: store, resolve: resolve)
        }
    }

    /// Records `delivery`'s items in the inbox and enqueues the jobs of those not seen before,
    /// in a transaction shared with concurrent callers; returns the items that were new, once
    /// that transaction has committed.
    public func ingest(_ delivery: Delivery) async throws -> [InboxItem] {
        try await group.submit(delivery)
    }

    /// Resolves and commits a batch; if resolving fails, each delivery alone, so one
    /// delivery's failure does not fail its neighbours.
    private static func write(_ batch: [Delivery], store: any Store, resolve: @Sendable ([Delivery]) async throws -> [[InboxItem]]) async -> [Result<[InboxItem], any Error>] {
        await writingEachAloneIfBatchFails(batch) { deliveries in
            let groups = try await resolve(deliveries)
            guard groups.count == deliveries.count else { throw IngestBatchError.resolvedCountMismatch(deliveries: deliveries.count, groups: groups.count) }
            return await commit(groups, store: store)
        }
    }

    /// Writes resolved groups in one transaction; if it fails, each group alone, without
    /// resolving again (resolving audits unrouted changes, and reads the store).
    private static func commit(_ groups: [[InboxItem]], store: any Store) async -> [Result<[InboxItem], any Error>] {
        await writingEachAloneIfBatchFails(groups) { groups in
            let fresh = try await store.ingest(groups.flatMap { $0 })
            return split(fresh: fresh, among: groups).map { .success($0) }
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
