import ConnectorKit
import Foundation
@testable import Store
import TestSupport
import Testing

/// A run of enqueues goes in a few multi-row statements; the queue must end exactly as if each
/// request had been enqueued on its own.
@Suite struct JobBatchTests {
    @Test func foldingKeepsWhatOneByOneMergesWouldKeep() throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let requests = [
            JobRequest(kind: "k", integrationID: "first", coalesceKey: "r1", payload: "{\"n\":1}", runAt: base.addingTimeInterval(5), repeatEvery: .seconds(60)),
            JobRequest(kind: "other", coalesceKey: "r1", payload: "{\"n\":2}", runAt: base),
            JobRequest(kind: "k", integrationID: "second", coalesceKey: "r1", payload: "{\"n\":3}", runAt: base.addingTimeInterval(1)),
            JobRequest(kind: "k", coalesceKey: "r1", payload: "{\"n\":4}", runAt: base.addingTimeInterval(9), repeatEvery: .seconds(30)),
            JobRequest(kind: "k", payload: "{\"n\":5}"),
            JobRequest(kind: "k", payload: "{\"n\":6}"),
        ]
        let folded = FoldedJobRequest.fold(requests)
        #expect(folded.map(\.request.payload) == ["{\"n\":4}", "{\"n\":2}", "{\"n\":5}", "{\"n\":6}"])
        let merged = try #require(folded.first)
        #expect(merged.folded == 2)
        #expect(merged.request.integrationID == "first", "a merge keeps the pending job's identity")
        #expect(merged.request.runAt == base.addingTimeInterval(1))
        #expect(merged.request.repeatEvery == .seconds(30))
        #expect(folded.dropFirst().allSatisfy { $0.folded == 0 })
    }

    @Test(arguments: TestDatabase.available)
    func aBatchEndsWhereOneByOneEnds(_ database: TestDatabase) async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var requests: [JobRequest] = []
        for index in 0..<1_200 {
            // Keys repeat across the 500-row statements, and within them.
            requests.append(JobRequest(kind: index % 2 == 0 ? "a" : "b", coalesceKey: "r\(index % 700)", payload: "{\"n\":\(index)}",
                                       runAt: base.addingTimeInterval(Double((index * 7) % 13)), repeatEvery: index % 5 == 0 ? .seconds(index) : nil))
        }
        requests.append(JobRequest(kind: "a", payload: "{\"keyless\":1}", runAt: base))
        let existing = JobRequest(kind: "a", coalesceKey: "r0", payload: "{\"existing\":1}", runAt: base.addingTimeInterval(-10))

        let oneByOne = try await database.withStore { store in
            try await store.enqueue(existing)
            for request in requests { try await store.enqueue(request) }
            return try await pendingRows(store)
        }
        let batched = try await database.withStore { store in
            try await store.enqueue(existing)
            try await store.apply(requests.map { .enqueue($0) })
            return try await pendingRows(store)
        }
        #expect(batched.count == oneByOne.count)
        #expect(batched == oneByOne)
        // One pending job per key and kind (the existing one among them), and the keyless one.
        let pairs = Set(requests.compactMap { request in request.coalesceKey.map { "\($0)/\(request.kind)" } })
        #expect(pairs.contains("r0/a") && oneByOne.count == pairs.count + 1)
    }

    /// Keys the database keeps apart (bytes differ) must stay apart in the fold, though Swift's
    /// `String` calls them equal.
    @Test(arguments: TestDatabase.available)
    func keysThatDifferOnlyInNormalisationStayTwoJobs(_ database: TestDatabase) async throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        let folded = FoldedJobRequest.fold([JobRequest(kind: "k", coalesceKey: composed, payload: "{\"n\":1}"), JobRequest(kind: "k", coalesceKey: decomposed, payload: "{\"n\":2}")])
        #expect(folded.count == 2 && folded.allSatisfy { $0.folded == 0 })
        try await database.withStore { store in
            try await store.apply([.enqueue(JobRequest(kind: "k", coalesceKey: composed, payload: "{\"n\":1}")), .enqueue(JobRequest(kind: "k", coalesceKey: decomposed, payload: "{\"n\":2}"))])
            #expect(try await pendingRows(store).count == 2)
        }
    }

    private func pendingRows(_ store: SQLStore) async throws -> [String] {
        try await store.backend.query(
            "SELECT coalesce_key, kind, payload, run_at, merged_count, repeat_every_ms, held FROM jobs WHERE state = 'pending' ORDER BY coalesce_key, kind, payload", []
        ).map { row in
            "\(row.optionalString("coalesce_key") ?? "-") \(try row.string("kind")) \(try row.string("payload")) \(try row.int("run_at")) \(try row.int("merged_count")) \(row.optionalInt("repeat_every_ms").map(String.init) ?? "-") \(try row.int("held"))"
        }
    }
}

/// Completions stored together: each as it would be alone, a stale claim refused on its own.
@Suite struct JobCompletionBatchTests {
    @Test(arguments: TestDatabase.available)
    func aBatchStoresEachCompletionAndRefusesOnlyTheStaleClaim(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let ids = try await (0..<3).asyncMap { index in
                try await store.enqueue(JobRequest(kind: "k", integrationID: "i1", payload: "{\"n\":\(index)}")).jobID
            }
            let claims = try await store.claimJobs(worker: "w", kinds: ["k"], limit: 3, lease: .seconds(30), now: Date())
            #expect(claims.count == 3)
            // The middle one was taken back (as by a shutdown): its claim is stale.
            let stale = try #require(claims.first { $0.job.id == ids[1] })
            try await store.releaseJob(stale)
            let completions = claims.map { claim in
                let source = ExternalRef(system: .board, type: "task", id: claim.job.id)
                let link = Link(integrationID: "i1", source: source, target: ExternalRef(system: .ledger, type: "invoice", id: "inv-\(claim.job.id)"), contentHash: "h")
                return JobCompletion(claim: claim, writes: [.upsertLink(link)], audit: AuditEntry(tenant: "default", integrationID: "i1", jobID: claim.job.id, action: "k", outcome: .succeeded),
                                     now: Date())
            }
            let results = try await store.completeJobs(completions)
            #expect(results.map { $0 == nil } == claims.map { $0.job.id != ids[1] })
            #expect(results.compactMap { $0 } == [.leaseLost(jobID: ids[1])])
            for id in ids {
                let job = try #require(try await store.job(id: id))
                let audited = try await store.auditEntries(AuditFilter(jobID: id)).count
                #expect(job.state == (id == ids[1] ? .pending : .succeeded))
                #expect(audited == (id == ids[1] ? 0 : 1), "a refused completion writes nothing")
            }
            #expect(try await store.links(integrationID: "i1").count == 2)
        }
    }
}

@Suite struct StatementChunksTests {
    @Test func runsArePowersOfTwoNoneOverTheMaximumAndCoverEveryRowInOrder() {
        for count in [0, 1, 2, 3, 7, 100, 255, 256, 257, 300, 1_000, 5_000] {
            let runs = Array(StatementChunks(count: count, maximum: 256))
            #expect(runs.allSatisfy { $0.count > 0 && $0.count <= 256 && $0.count & ($0.count - 1) == 0 }, "\(count): \(runs)")
            #expect(runs.reduce(into: [Int]()) { $0 += Array($1) } == Array(0..<count), "\(count) rows covered once, in order")
            #expect(runs.count <= count / 256 + 8, "\(count) rows in a handful of statements")
        }
        #expect(StatementChunks(count: 300, maximum: 256).map(\.count) == [256, 32, 8, 4])
        #expect(StatementChunks(count: 10, maximum: 6).map(\.count) == [4, 4, 2], "a maximum that is no power of two is rounded down")
        #expect(Array(StatementChunks(count: 3, maximum: 0)).map(\.count) == [1, 1, 1])
        #expect(Array(5..<12).statementChunks(maximum: 4).map(Array.init) == [[5, 6, 7, 8], [9, 10], [11]])
    }
}

@Suite struct JobCompletionBatchDuplicateTests {
    @Test(arguments: TestDatabase.available)
    func aJobNamedTwiceInABatchSucceedsOnceAndTheSecondFindsItsClaimGone(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.enqueue(JobRequest(kind: "k", payload: "{}"))
            let claim = try #require(try await store.claimJobs(worker: "w", kinds: ["k"], limit: 1, lease: .seconds(30), now: Date()).first)
            let completion = JobCompletion(claim: claim, writes: [], audit: AuditEntry(jobID: claim.job.id, action: "k", outcome: .succeeded), now: Date())
            let results = try await store.completeJobs([completion, completion])
            #expect(results == [nil, .leaseLost(jobID: claim.job.id)])
            #expect(try await store.auditEntries(AuditFilter(jobID: claim.job.id)).count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aBatchLargerThanOneStatementStoresEveryCompletion(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let count = SQLStore.completionsPerStatement + 37
            try await store.apply((0..<count).map { .enqueue(JobRequest(kind: "k", payload: "{\"n\":\($0)}")) })
            let claims = try await store.claimJobs(worker: "w", kinds: ["k"], limit: count, lease: .seconds(30), now: Date())
            #expect(claims.count == count)
            let results = try await store.completeJobs(claims.map {
                JobCompletion(claim: $0, writes: [], audit: AuditEntry(jobID: $0.job.id, action: "k", outcome: .succeeded), now: Date())
            })
            #expect(results.allSatisfy { $0 == nil })
            #expect(try await store.jobCounts()[.succeeded] == count)
            #expect(try await store.auditEntries(AuditFilter(limit: count + 10)).count == count)
        }
    }
}

extension Sequence {
    /// The results of `transform` on each element, one after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
