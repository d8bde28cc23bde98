import ConnectorKit
import Engine
import Foundation
import NIOConcurrencyHelpers
import Store
import TestSupport
import Testing

/// The engine's share of issue 9 ("nothing created twice, nothing dropped"): each test is named
/// after the gap it closes and fails on the code before the fix.
@Suite struct ExactlyOnceEngineTests {
    func claimOne(_ store: SQLStore, kind: String, at now: Date = Date(), lease: Duration = .seconds(30)) async throws -> JobClaim? {
        try await store.claimJobs(worker: "t", kinds: [kind], limit: 1, lease: lease, now: now).first
    }

    /// Gap 1: an intent outlives the job that recorded it; a replay (a new job, attempt 1)
    /// and a merged sibling learn that the create may have happened.
    @Test(arguments: TestDatabase.available)
    func gap1_anIntentOutlivesRetriesMergesAndReplays(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            let starts = NIOLockedValueBox<[IntentStart]>([])
            let handler = IntentProbe(kind: "probe.create", starts: starts, failing: true)
            let runner = JobRunner(store: store, registry: JobRegistry([handler]))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, integrationID: "i1", coalesceKey: "rec-1", maxAttempts: 1)).jobID
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind))) == .dead)
            _ = try await store.replay(id: id, now: Date())
            handler.failing.withLockedValue { $0 = false }
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind))) == .succeeded)
            #expect(starts.withLockedValue { $0 } == [.first, .uncertain(targetRef: nil)])
            // Confirmed in the completing transaction: the next change finds it done.
            #expect(try await store.intent(integrationID: "i1", key: "invoice:INV-1")?.state == .done)
            try await store.enqueue(JobRequest(kind: handler.kind, integrationID: "i1", coalesceKey: "rec-1"))
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind))) == .succeeded)
            #expect(starts.withLockedValue { $0 }.last == .done(targetRef: "ledger:invoice:INV-1"))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Gap 3: a running job whose lease ran out and a pending job of the same key must not
    /// both be claimed; one running job per key is a database guarantee.
    @Test(arguments: TestDatabase.available)
    func gap3_oneRunningJobPerKeyEvenWhenALeaseRanOut(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            let now = Date()
            let first = try await store.enqueue(JobRequest(kind: "k", coalesceKey: "rec-1", runAt: now)).jobID
            _ = try #require(try await claimOne(store, kind: "k", at: now, lease: .milliseconds(10)))
            let second = try await store.enqueue(JobRequest(kind: "k", coalesceKey: "rec-1", runAt: now)).jobID
            #expect(first != second)
            let later = now.addingTimeInterval(5)
            let claims = try await store.claimJobs(worker: "t2", kinds: ["k"], limit: 5, lease: .seconds(30), now: later)
            #expect(claims.map(\.job.id) == [first])
            // The index refuses a second running job of the key whatever the claim says.
            await #expect(throws: (any Error).self) {
                try await store.backend.query("UPDATE jobs SET state = 'running' WHERE id = $1", [.text(second)])
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Gap 4: when the heartbeat finds the lease gone, the handler is cancelled before its next
    /// write, and the attempt's completion is refused.
    @Test(arguments: TestDatabase.available)
    func gap4_aLostLeaseStopsTheHandlerBeforeItsNextWrite(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            let handler = TwoWrites()
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), lease: .milliseconds(300))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, integrationID: "i1")).jobID
            let claim = try #require(try await claimOne(store, kind: handler.kind, lease: .milliseconds(300)))
            let running = Task { await runner.run(claim) }
            while handler.writes.withLockedValue({ $0 }) < 1 { try await Task.sleep(for: .milliseconds(10)) }
            // Another worker takes the job over (as after a pause longer than the lease).
            try await store.backend.query("UPDATE jobs SET claim_token = 'another-worker' WHERE id = $1", [.text(id)])
            #expect(await running.value == .leaseLost)
            // The handler waits up to 5 s for its next write: only a cancellation ends it sooner.
            let deadline = ContinuousClock.now + .seconds(10)
            while !handler.finished.withLockedValue({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(handler.finished.withLockedValue { $0 })
            #expect(handler.writes.withLockedValue { $0 } == 1)
            // Not completed by the attempt that lost it: it stays with the worker that took it over.
            #expect(try await store.job(id: id)?.state == .running)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Gap 6: a recurring job that fails for good is a dead letter and keeps its schedule.
    @Test(arguments: TestDatabase.available)
    func gap6_aRecurringJobKeepsItsScheduleAfterADeadLetter(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            let handler = ScriptedHandler(kind: "test.poll", steps: [.fail(.permanent("vendor gone"))])
            let runner = JobRunner(store: store, registry: JobRegistry([handler]))
            let before = Date()
            let id = try await store.enqueue(JobRequest(kind: handler.kind, connectionID: "c1", coalesceKey: "poll:c1:feed", repeatEvery: .seconds(60), source: .schedule)).jobID
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind))) == .dead)
            #expect(try await store.deadLetter(id: id) != nil)
            let next = try await store.jobs(state: .pending, integrationID: nil, limit: 10).filter { $0.coalesceKey == "poll:c1:feed" }
            #expect(next.count == 1 && next[0].repeatEveryMs == 60_000 && next[0].runAt >= before.addingTimeInterval(59))
            let failing = try await store.failingSchedules(connectionID: "c1")
            #expect(failing.map(\.coalesceKey) == ["poll:c1:feed"] && failing[0].failingSince >= before.addingTimeInterval(-1))
            // Its next success clears the failure.
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind, at: Date().addingTimeInterval(61)))) == .succeeded)
            #expect(try await store.failingSchedules(connectionID: "c1").isEmpty)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Gap 6: a recurring job's retries never wait longer than its interval.
    @Test(arguments: TestDatabase.available)
    func gap6_aRecurringJobsBackoffIsCappedAtItsInterval(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            let handler = ScriptedHandler(kind: "test.poll", steps: Array(repeating: .fail(.transient("503")), count: 3))
            let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .seconds(600), cap: .seconds(3600)))
            let id = try await store.enqueue(JobRequest(kind: handler.kind, coalesceKey: "poll:c1:feed", repeatEvery: .seconds(2), source: .schedule)).jobID
            #expect(await runner.run(try #require(try await claimOne(store, kind: handler.kind))) == .retrying)
            #expect(try #require(try await store.job(id: id)).runAt <= Date().addingTimeInterval(2.1))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Gap 7: a paused integration's jobs are enqueued and held, not claimed and dropped;
    /// `resume` makes them claimable.
    @Test(arguments: TestDatabase.available)
    func gap7_aPausedIntegrationsJobsAreHeldUntilResume(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            try await store.addConnection(Connection(id: "b1", system: .board), credential: Credential(kind: .apiToken, accessToken: "t0000000"))
            try await store.saveIntegration(IntegrationRecord(id: "held", kind: "probe", connections: ["board": "b1"], state: .paused))
            let router = TriggerRouter(store: store, kinds: ["probe.change"])
            let events = (0..<3).map { ChangeEvent(eventID: "e\($0)", ref: ExternalRef(system: .board, type: "task", id: "\($0)"), action: .updated) }
            let jobs = try await router.jobs(for: events, connectionID: "b1", trigger: .poll)
            try await store.apply(jobs.values.flatMap { $0 }.map(StoreWrite.enqueue))
            #expect(try await store.claimJobs(worker: "t", kinds: ["probe.change"], limit: 10, lease: .seconds(30), now: Date()).isEmpty)
            try await store.setIntegrationState(id: "held", state: .active)
            #expect(try await store.claimJobs(worker: "t", kinds: ["probe.change"], limit: 10, lease: .seconds(30), now: Date()).count == 3)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// Begins one intent per run, reports what it found, and fails while `failing` is set.
final class IntentProbe: JobHandler {
    let kind: String
    let starts: NIOLockedValueBox<[IntentStart]>
    let failing: NIOLockedValueBox<Bool>

    init(kind: String, starts: NIOLockedValueBox<[IntentStart]>, failing: Bool) {
        self.kind = kind
        self.starts = starts
        self.failing = NIOLockedValueBox(failing)
    }

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let start = try await context.intents.begin("invoice:INV-1")
        starts.withLockedValue { $0.append(start) }
        if failing.withLockedValue({ $0 }) { throw ConnectorError.validation(field: "lines", message: "the vendor refused it") }
        return JobOutcome(writes: [context.intents.done("invoice:INV-1", target: ExternalRef(system: .ledger, type: "invoice", id: "INV-1"))])
    }
}

/// Writes once, then again after a second: the second write must not happen once the lease is lost.
final class TwoWrites: JobHandler {
    let kind = "test.two-writes"
    let writes = NIOLockedValueBox(0)
    /// Set when `run` returns, whether by its second write or by cancellation.
    let finished = NIOLockedValueBox(false)

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        writes.withLockedValue { $0 += 1 }
        defer { finished.withLockedValue { $0 = true } }
        // Long enough that a loaded machine's late heartbeat still lands inside it; a
        // cancellation ends the sleep at once.
        try? await Task.sleep(for: .seconds(5))
        // A vendor write made only when the attempt still holds its job.
        try Task.checkCancellation()
        writes.withLockedValue { $0 += 1 }
        return JobOutcome()
    }
}
