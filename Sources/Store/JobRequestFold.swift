import Foundation

/// Job requests bound for one multi-row INSERT, with those of one coalescing key and kind folded
/// together first: a statement may not merge into the same pending row twice (PostgreSQL refuses
/// it), so the batch does in memory what the database's merge would have done one by one.
struct FoldedJobRequest: Equatable {
    /// The folded request: the first request's identity (tenant, integration, attempts, source)
    /// with the newest payload and schedule and the earliest run time.
    var request: JobRequest
    /// How many later requests were folded into it; each counts as one merge.
    var folded: Int

    /// Folds `requests` in order. Keyed requests come out sorted by key and kind (bytes), so
    /// concurrent batches take the pending index's locks in one order; keyless ones follow as given.
    static func fold(_ requests: [JobRequest]) -> [FoldedJobRequest] {
        var byKey: [PendingKey: FoldedJobRequest] = [:]
        var keyless: [FoldedJobRequest] = []
        for request in requests {
            guard let key = request.coalesceKey else {
                keyless.append(FoldedJobRequest(request: request, folded: 0))
                continue
            }
            let pending = PendingKey(coalesceKey: Array(key.utf8), kind: Array(request.kind.utf8))
            guard var earlier = byKey[pending] else {
                byKey[pending] = FoldedJobRequest(request: request, folded: 0)
                continue
            }
            // What `enqueue` does to a pending row: the newer payload, the newer interval if
            // it has one, the earlier run time, one more merge.
            earlier.request.payload = request.payload
            earlier.request.repeatEvery = request.repeatEvery ?? earlier.request.repeatEvery
            earlier.request.runAt = min(earlier.request.runAt, request.runAt)
            earlier.folded += 1
            byKey[pending] = earlier
        }
        return byKey.sorted { $0.key < $1.key }.map(\.value) + keyless
    }

    /// The identity of a pending job: one per coalescing key and kind, compared byte for byte as
    /// the database compares them (Swift's `String` equality would fold "é" and "e\u{301}" into
    /// one job, where the database keeps two). Ordered by bytes, which is PostgreSQL's "C"
    /// collation, the order `markHeldJobs` locks in.
    private struct PendingKey: Hashable, Comparable {
        var coalesceKey: [UInt8]
        var kind: [UInt8]

        static func < (left: PendingKey, right: PendingKey) -> Bool {
            ByteOrder.precedes((left.coalesceKey, left.kind), (right.coalesceKey, right.kind))
        }
    }
}
