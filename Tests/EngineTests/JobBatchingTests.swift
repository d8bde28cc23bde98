import ConnectorKit
@testable import Engine
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// Claims are taken in batches into a buffer and completions share transactions; each
/// guarantee of one job at a time must hold as it did.
@Suite struct JobBatchingTests {
    private func enqueue(_ count: Int, kind: String = "test.scripted", into store: SQLStore) async throws {
        try await store.apply((0..<count).map { .enqueue(JobRequest(kind: kind, payload: "{\"n\":\($0)}")) })
    }

    @Test func workersArrivingDuringAClaimShareIt() async throws {
        try await TestDatabase.sqlite.withStore { store in
            try await enqueue(20, into: store)
            let buffer = ClaimBuffer<JobClaim>(minimumBatch: 4, maximumBatch: 64)
            let claims = NIOLockedValueBox(0)
            let taken = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let next = await buffer.next { limit in
                            claims.withLockedValue { $0 += 1 }
                            try await Task.sleep(for: .milliseconds(50))
                            return try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: limit, lease: .seconds(30), now: Date())
                        }
                        if case .job(let claim) = next { return claim.job.id }
                        return nil
                    }
                }
                return await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(claims.withLockedValue { $0 } == 1, "one claim for the four workers")
            #expect(taken.count == 4 && Set(taken).count == 4)
        }
    }

    @Test func theBatchGrowsWhileJobsAreQuickAndStartsSmallWhenTheQueueRunsDry() async throws {
        try await TestDatabase.sqlite.withStore { store in
            // 4 + 8 + 16 + 32 + 64 + 64 full batches, then 20 of a 64.
            try await enqueue(208, into: store)
            let buffer = ClaimBuffer<JobClaim>(minimumBatch: 4, maximumBatch: 64)
            let asked = NIOLockedValueBox<[Int]>([])
            var ran = 0
            while true {
                let next = await buffer.next { limit in
                    asked.withLockedValue { $0.append(limit) }
                    return try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: limit, lease: .seconds(30), now: Date())
                }
                guard case .job = next else { break }
                ran += 1
            }
            #expect(ran == 208)
            #expect(asked.withLockedValue { $0 } == [4, 8, 16, 32, 64, 64, 64, 4])
            #expect(await buffer.batch == 4)
        }
    }

    @Test func drainingTheBufferHandsBackWhatNoWorkerStarted() async throws {
        try await TestDatabase.sqlite.withStore { store in
            try await enqueue(10, into: store)
            let buffer = ClaimBuffer<JobClaim>(minimumBatch: 8, maximumBatch: 8)
            let next = await buffer.next { limit in
                try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: limit, lease: .seconds(30), now: Date())
            }
            guard case .job(let started) = next else {
                Issue.record("no job claimed")
                return
            }
            let rest = await buffer.drain()
            #expect(rest.count == 7 && !rest.contains { $0.job.id == started.job.id })
            #expect(await buffer.count == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func shutdownReleasesTheClaimsNoWorkerStarted(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            // One worker: quick jobs grow its batch (1, 2, 4, 8), and the sixteenth blocks with
            // the rest of its batch of 16 still in the buffer.
            let handler = ScriptedHandler(steps: Array(repeating: .succeed, count: 15) + [.block])
            try await enqueue(100, into: store)
            let pool = WorkerPool(runner: JobRunner(store: store, registry: JobRegistry([handler])), workers: 1, idlePoll: .milliseconds(20), shutdownGrace: .milliseconds(200))
            let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: Logger(label: "test")))
            try await withRunning(group) {
                try await eventually("the sixteenth job running", interval: .milliseconds(10)) { handler.ran.count == 16 }
            }
            let counts = try await store.jobCounts()
            #expect(counts[.succeeded] == 15 && counts[.running] == 0 && counts[.pending] == 85)
            let pending = try await store.jobs(state: .pending, integrationID: nil, limit: 200)
            #expect(pending.allSatisfy { $0.attempts == 0 }, "a released claim does not count as an attempt")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aBufferedClaimKeepsItsLeaseAndOneTakenOverDoesNotStart(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler()
            let lease = Duration.milliseconds(600)
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), lease: lease)
            try await enqueue(2, into: store)
            let claims = try await store.claimJobs(worker: "w", kinds: [handler.kind], limit: 2, lease: lease, now: Date())
            #expect(claims.count == 2)
            let tickets = claims.map { runner.leases.hold($0, renewed: .now) }
            // Both wait in the buffer for twice their lease; the first is taken over meanwhile.
            try await store.backend.query("UPDATE jobs SET claim_token = 'another-worker' WHERE id = $1", [.text(claims[0].job.id)])
            try await Task.sleep(for: lease * 2)
            let kept = try #require(try await store.job(id: claims[1].job.id))
            #expect(kept.state == .running && (kept.leaseUntil ?? .distantPast) > Date(), "the waiting claim's lease was renewed")
            #expect(await runner.run(claims[0], heldAs: tickets[0]) == .leaseLost)
            #expect(handler.ran.isEmpty, "a claim taken over while it waited does not start")
            #expect(await runner.run(claims[1], heldAs: tickets[1]) == .succeeded)
            #expect(handler.ran == [claims[1].job.id])
        }
    }

    @Test func aFullClaimSendsEmptyHandedWaitersToClaimAgain() async throws {
        try await TestDatabase.sqlite.withStore { store in
            try await enqueue(5, into: store)
            let buffer = ClaimBuffer<JobClaim>(minimumBatch: 1, maximumBatch: 1)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let next = await buffer.next { limit in
                            try await Task.sleep(for: .milliseconds(50))
                            return try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: limit, lease: .seconds(30), now: Date())
                        }
                        switch next {
                        case .job: return "job"
                        case .again: return "again"
                        case .empty: return "empty"
                        case .failed: return "failed"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.sorted() == ["again", "again", "job"], "a full claim may have left more: the others look again at once")
        }
    }

    @Test func aWorkerStartsItsNextJobWhileACompletionCommitsAndWaitsPastItsBound() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let handler = ScriptedHandler()
            let jobs = WorkerPool.storingPerWorker + 8
            try await enqueue(jobs, into: store)
            // Commits are held back until the gate opens.
            let (gate, open) = AsyncStream<Void>.makeStream()
            var runner = JobRunner(store: store, registry: JobRegistry([handler]))
            runner.completions = JobCompletions { batch in
                for await _ in gate {}
                return await JobCompletions.write(batch, store: store)
            }
            let pool = WorkerPool(runner: runner, workers: 1, idlePoll: .milliseconds(20), shutdownGrace: .seconds(5))
            let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: Logger(label: "test")))
            try await withRunning(group) {
                // A failure opens the gate too, or the pool's shutdown would wait on it for good.
                do {
                    // One worker runs job after job while none of their completions has committed…
                    try await eventually("the worker to run its bound of jobs", interval: .milliseconds(10)) { handler.ran.count == WorkerPool.storingPerWorker }
                    try await Task.sleep(for: .milliseconds(200))
                    // …and no more than its bound: past it, it waits for a commit.
                    #expect(handler.ran.count == WorkerPool.storingPerWorker)
                    #expect(try await store.jobCounts()[.succeeded, default: 0] == 0, "nothing committed while the gate is shut")
                    open.finish()
                    try await eventually("every job to commit", interval: .milliseconds(10)) { try await store.jobCounts()[.succeeded, default: 0] == jobs }
                } catch {
                    open.finish()
                    throw error
                }
            }
            #expect(handler.ran.count == jobs && Set(handler.ran).count == jobs, "each job ran once")
            #expect(try await store.auditEntries(AuditFilter()).count == jobs)
        }
    }

    @Test func aCompletionThatBreaksItsBatchFailsAlone() async throws {
        try await TestDatabase.sqlite.withStore { store in
            // A link to 'poison' is refused by the database; its batch is retried one by one.
            try await store.backend.query(
                "CREATE TRIGGER poison BEFORE INSERT ON links WHEN NEW.target_ref = 'ledger:invoice:poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END", [])
            try await enqueue(3, into: store)
            let claims = try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: 3, lease: .seconds(30), now: Date())
            let completions = claims.enumerated().map { index, claim in
                let target = ExternalRef(system: .ledger, type: "invoice", id: index == 1 ? "poison" : "inv-\(index)")
                let link = Link(integrationID: "i1", source: ExternalRef(system: .board, type: "task", id: claim.job.id), target: target, contentHash: "h")
                return JobCompletion(claim: claim, writes: [.upsertLink(link)], audit: AuditEntry(jobID: claim.job.id, action: "k", outcome: .succeeded), now: Date())
            }
            let results = await JobCompletions.write(completions, store: store)
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
            #expect(try await store.job(id: claims[0].job.id)?.state == .succeeded)
            #expect(try await store.job(id: claims[1].job.id)?.state == .running)
            #expect(try await store.job(id: claims[2].job.id)?.state == .succeeded)
            #expect(try await store.links(integrationID: "i1").count == 2)
        }
    }

    @Test func whenTheStoreIsDownEveryCompletionOfTheBatchIsToldAtOnce() async throws {
        let opened = try await TestDatabase.sqlite.makeStore()
        let store = opened.store
        try await enqueue(3, into: store)
        let claims = try await store.claimJobs(worker: "w", kinds: ["test.scripted"], limit: 3, lease: .seconds(30), now: Date())
        await store.close()
        let completions = claims.map { JobCompletion(claim: $0, writes: [], audit: AuditEntry(jobID: $0.job.id, action: "k", outcome: .succeeded), now: Date()) }
        let results = await JobCompletions.write(completions, store: store)
        #expect(results.count == 3, "each completion gets its own result")
        for result in results {
            #expect(throws: (any Error).self) { try result.get() }
            if case .failure(let error) = result { #expect(StoreError.isOutage(error), "the store's own error, not a missing result: \(error)") }
        }
    }
}
