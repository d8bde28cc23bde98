import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// A recurring job is rescheduled under its coalescing key: a new schedule's interval and
/// payload win over the pending row, while the job's own next run never undoes them.
@Suite struct RecurringScheduleTests {
    @Test(arguments: TestDatabase.available)
    func aChangedIntervalTakesEffect(_ database: TestDatabase) async throws {
        let test = try await database.makeStore()
        let store = test.store
        do {
            let now = Date()
            try await store.enqueue(try JobRequest(kind: "poll.test", coalesceKey: "poll:c:feed", payload: ["feed": "old"], runAt: now, repeatEvery: .seconds(300), source: .schedule))
            try await store.enqueue(try JobRequest(kind: "poll.test", coalesceKey: "poll:c:feed", payload: ["feed": "new"], runAt: now, repeatEvery: .seconds(60), source: .schedule))
            let pending = try await store.jobs(state: .pending, integrationID: nil, limit: 10)
            #expect(pending.count == 1 && pending.first?.repeatEveryMs == 60_000 && pending.first?.payload.contains("new") == true)

            // The job runs; meanwhile an operator applies a 90 s interval. The run's own next
            // occurrence merges into that newer schedule without undoing it.
            let claim = try #require(try await store.claimJobs(worker: "w", kinds: ["poll.test"], limit: 1, lease: .seconds(30), now: now.addingTimeInterval(1)).first)
            try await store.enqueue(try JobRequest(kind: "poll.test", coalesceKey: "poll:c:feed", payload: ["feed": "newest"], runAt: now.addingTimeInterval(90), repeatEvery: .seconds(90), source: .schedule))
            try await store.completeJob(claim, writes: [], audit: AuditEntry(action: "poll", outcome: .succeeded), now: now.addingTimeInterval(2))
            let next = try await store.jobs(state: .pending, integrationID: nil, limit: 10)
            #expect(next.count == 1 && next.first?.repeatEveryMs == 90_000 && next.first?.payload.contains("newest") == true, "\(next.map { ($0.repeatEveryMs, $0.payload) })")
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
