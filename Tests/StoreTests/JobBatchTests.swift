import ConnectorKit
import Foundation
@testable import Store
import TestSupport
import Testing

/// A run of enqueues goes in one statement per 500 rows; the queue must end exactly as if each
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
