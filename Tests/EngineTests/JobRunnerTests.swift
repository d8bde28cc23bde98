import ConnectorKit
import Engine
import Foundation
import Store
import TestSupport
import Testing

@Suite struct JobRunnerTests {
    func claimOne(_ store: SQLStore, kind: String = "test.scripted", at now: Date = Date()) async throws -> JobClaim {
        try #require(try await store.claimJobs(worker: "t", kinds: [kind], limit: 1, lease: .seconds(30), now: now).first)
    }

    @Test(arguments: TestDatabase.available)
    func successStoresWritesAndAnAuditEntryWithItsRequests(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler()
            let runner = JobRunner(store: store, registry: JobRegistry([handler]))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, integrationID: "i1")).jobID
            #expect(await runner.run(try await claimOne(store)) == .succeeded)
            #expect(try await store.job(id: id)?.state == .succeeded)
            #expect(try await store.links(integrationID: "i1").count == 1)
            let entry = try #require(try await store.auditEntries(AuditFilter(jobID: id)).first)
            #expect(entry.outcome == .succeeded && entry.action == "create invoice" && entry.targetRef == "ledger:invoice:inv-\(id)")
            #expect(entry.exchanges.count == 1 && !entry.exchanges[0].url.contains("hidden-token-1"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aPassingFailureIsRetriedLaterWithBackoff(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: [.fail(.transient("503"))])
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .seconds(4), cap: .seconds(60)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind)).jobID
            let before = Date()
            #expect(await runner.run(try await claimOne(store)) == .retrying)
            let job = try #require(try await store.job(id: id))
            #expect(job.state == .pending && job.lastError?.contains("503") == true)
            // Full jitter under a 4 s ceiling for the first retry.
            #expect(job.runAt >= before.addingTimeInterval(-0.01) && job.runAt <= Date().addingTimeInterval(4.01))
            #expect(await runner.run(try await claimOne(store, at: Date().addingTimeInterval(5))) == .succeeded)
            #expect(try await store.auditEntries(AuditFilter(jobID: id)).map(\.outcome) == [.succeeded, .retrying])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRateLimitWaitsAtLeastWhatTheVendorAsked(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: [.fail(.rateLimited(retryAfter: .seconds(900)))])
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .seconds(1), cap: .seconds(5)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind)).jobID
            let before = Date()
            #expect(await runner.run(try await claimOne(store)) == .retrying)
            #expect(try #require(try await store.job(id: id)).runAt >= before.addingTimeInterval(899))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aPermanentFailureIsADeadLetterThatReplaysOnceFixed(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: [.fail(.validation(field: "fields.billable_amount", message: "GID 999 is not a number field"))])
            let runner = JobRunner(store: store, registry: JobRegistry([handler]))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, integrationID: "i1", payload: #"{"sourceRef":"asana:task:77"}"#)).jobID
            #expect(await runner.run(try await claimOne(store)) == .dead)
            let letter = try #require(try await store.deadLetter(id: id))
            #expect(letter.errorKind == "validation" && letter.error.contains("fields.billable_amount") && letter.attempts == 1)
            let deadEntry = try #require(try await store.auditEntries(AuditFilter(jobID: id)).first)
            #expect(deadEntry.outcome == .dead && deadEntry.sourceRef == "asana:task:77")

            // The cause is fixed (the handler now succeeds); replay runs the same work again.
            let replayID = try await store.replay(id: letter.id, now: Date())
            #expect(await runner.run(try await claimOne(store)) == .succeeded)
            #expect(try await store.job(id: replayID)?.state == .succeeded)
            #expect(handler.ran == [id, replayID])
        }
    }

    @Test(arguments: TestDatabase.available)
    func theRetryBudgetEndsInDeadLetters(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: Array(repeating: .fail(.transient("timeout")), count: 5))
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .milliseconds(1), cap: .milliseconds(1)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, maxAttempts: 3)).jobID
            var results: [JobRunner.Result] = []
            for _ in 0..<3 {
                results.append(await runner.run(try await claimOne(store, at: Date().addingTimeInterval(1))))
            }
            #expect(results == [.retrying, .retrying, .dead])
            #expect(try await store.deadLetter(id: id)?.attempts == 3)
        }
    }

    /// A claim that dies with its worker (SIGKILL) is an attempt, not a failure: the QuickBooks
    /// crash campaign's posting job, claimed six times by servers killed before they ran it, then
    /// refused once by a rate limit, waited three minutes (the backoff of a seventh failure), and
    /// its bill was not posted before the campaign's deadline.
    @Test(arguments: TestDatabase.available)
    func claimsLostWithTheirWorkersDoNotLengthenTheBackoff(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: [.fail(.rateLimited(retryAfter: nil))])
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .seconds(1), cap: .seconds(3600)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, maxAttempts: 20)).jobID
            // Twelve workers claim it and die: each lease runs out, and the next claim takes the job over.
            var now = Date()
            for _ in 0..<12 {
                _ = try #require(try await store.claimJobs(worker: "killed", kinds: [handler.kind], limit: 1, lease: .seconds(1), now: now).first)
                now = now.addingTimeInterval(2)
            }
            let claim = try await claimOne(store, at: now)
            #expect(claim.job.attempts == 13)
            #expect(await runner.run(claim) == .retrying)
            // Its first failure: full jitter under the first ceiling (1 s), not the thirteenth's (an hour).
            let job = try #require(try await store.job(id: id))
            #expect(job.state == .pending && job.runAt <= Date().addingTimeInterval(1.01), "runs again in \(job.runAt.timeIntervalSinceNow) s")
            #expect(job.attempts == 13 && job.failures == 1)
        }
    }

    /// Claims lost with killed workers do not spend the job's failure budget: before, a job with
    /// `maxAttempts` 3 claimed by four killed servers was buried on its next claim without a try,
    /// and one of `maxAttempts` 1 after a single restart.
    @Test(arguments: TestDatabase.available)
    func claimsLostWithTheirWorkersLeaveTheWholeFailureBudget(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: Array(repeating: .fail(.transient("timeout")), count: 5))
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .milliseconds(1), cap: .milliseconds(1)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, maxAttempts: 3)).jobID
            var now = Date()
            for _ in 0..<4 {
                _ = try #require(try await store.claimJobs(worker: "killed", kinds: [handler.kind], limit: 1, lease: .seconds(1), now: now).first)
                now = now.addingTimeInterval(2)
            }
            var results: [JobRunner.Result] = []
            for _ in 0..<3 {
                now = max(now, Date()).addingTimeInterval(2)
                results.append(await runner.run(try await claimOne(store, at: now)))
            }
            #expect(results == [.retrying, .retrying, .dead])
            #expect(handler.ran.count == 3)
            let letter = try #require(try await store.deadLetter(id: id))
            #expect(letter.attempts == 7 && letter.error.contains("timeout"))
        }
    }

    /// A job whose claims keep ending without a result is taken for what kills its workers and
    /// buried without another run, however many failures it may still have.
    @Test(arguments: TestDatabase.available)
    func aJobThatKeepsKillingItsWorkersBecomesADeadLetter(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler()
            var runner = JobRunner(store: store, registry: JobRegistry([handler]))
            runner.lostClaimLimit = 3
            let id = try await store.enqueue(JobRequest(kind: handler.kind, maxAttempts: 8)).jobID
            var now = Date()
            for _ in 0..<3 {
                _ = try #require(try await store.claimJobs(worker: "killed", kinds: [handler.kind], limit: 1, lease: .seconds(1), now: now).first)
                now = now.addingTimeInterval(2)
            }
            #expect(await runner.run(try await claimOne(store, at: now)) == .dead)
            #expect(handler.ran.isEmpty)
            let letter = try #require(try await store.deadLetter(id: id))
            #expect(letter.error.contains("stopped before finishing 3 times") && letter.attempts == 4)
        }
    }

    /// Under the limit, a job runs, also one that may not fail at all (`maxAttempts` 1).
    @Test(arguments: TestDatabase.available)
    func aJobThatLostFewerClaimsThanTheLimitRuns(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler()
            var runner = JobRunner(store: store, registry: JobRegistry([handler]))
            runner.lostClaimLimit = 3
            let id = try await store.enqueue(JobRequest(kind: handler.kind, maxAttempts: 1)).jobID
            var now = Date()
            for _ in 0..<2 {
                _ = try #require(try await store.claimJobs(worker: "killed", kinds: [handler.kind], limit: 1, lease: .seconds(1), now: now).first)
                now = now.addingTimeInterval(2)
            }
            #expect(await runner.run(try await claimOne(store, at: now)) == .succeeded)
            #expect(try await store.job(id: id)?.state == .succeeded)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aJobOfAnUnknownKindIsNotLeftWaiting(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let id = try await store.enqueue(JobRequest(kind: "gone.kind")).jobID
            let claim = try await claimOne(store, kind: "gone.kind")
            #expect(await JobRunner(store: store, registry: JobRegistry([])).run(claim) == .dead)
            #expect(try await store.deadLetter(id: id)?.error.contains("no handler") == true)
        }
    }
}
