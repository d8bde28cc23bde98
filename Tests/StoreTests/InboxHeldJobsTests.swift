import ConnectorKit
import Foundation
@testable import Store
import TestSupport
import Testing

/// Jobs webhooks enqueued for a paused integration are held; looking at the queue past them
/// must stay cheap, because on SQLite every claim holds the one connection that webhook ingest
/// needs too (a claim that read every due job for every candidate took 0.5 s over 2,000 held
/// jobs, and 30,000 held jobs slowed ingest from 1,243 to 167 deliveries a second).
@Suite struct InboxHeldJobsTests {
    @Test(arguments: TestDatabase.available)
    func aPausedIntegrationsJobsAreMarkedHeldAndStayOutOfTheClaimsIndex(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.saveIntegration(IntegrationRecord(id: "held", kind: "k", connections: [:], state: .paused))
            let items = try (0..<2_000).map { index in
                let event = ChangeEvent(eventID: "held-\(index)", ref: ExternalRef(system: .custom("held"), type: "record", id: "\(index)"), action: .updated)
                return InboxItem(system: .custom("held"), event: event, subscriptionID: nil,
                                 jobs: [try JobRequest(kind: "held.change", integrationID: "held", coalesceKey: "held:\(index)", payload: ["id": "\(index)"], source: .webhook)])
            }
            #expect(try await store.ingest(items).count == 2_000)
            #expect(try await heldCount(store, integration: "held") == 2_000, "jobs enqueued while paused are held")
            let claims = try await store.claimJobs(worker: "w", kinds: ["held.change"], limit: 1, lease: .seconds(30), now: Date())
            #expect(claims.isEmpty, "a paused integration's jobs are held")

            guard store.backend.dialect.name == "sqlite" else { return }
            // Without statistics SQLite's planner took the (state, updated_at) index and sorted
            // every pending job on each claim; with them it once preferred (state, run_at) and
            // read every held job. The claim must search the claimable index either way.
            for analyzed in [false, true] {
                if analyzed { try await store.backend.query("ANALYZE", []) }
                let plan = try await store.backend.query(
                    "EXPLAIN QUERY PLAN " + SQLStore.claimablePendingJobs(kinds: "$5", limit: 1, dialect: store.backend.dialect),
                    [.text("token"), .text("w"), .int(0), .time(Date()), .text("held.change")]
                )
                let steps = try plan.map { try $0.string("detail") }
                #expect(steps.first { $0.hasPrefix("SEARCH jobs ") || $0.hasPrefix("SCAN jobs") } == "SEARCH jobs USING INDEX jobs_claimable (run_at<?)", "plan: \(steps)")
                #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "no sort: \(steps)")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theHeldMarkFollowsPauseResumeAndRetries(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.saveIntegration(IntegrationRecord(id: "i", kind: "k", connections: [:], state: .active))
            func request(_ key: String) throws -> JobRequest {
                try JobRequest(kind: "i.change", integrationID: "i", coalesceKey: key, payload: ["id": key], source: .webhook)
            }
            try await store.enqueue(try request("i:1"))
            try await store.enqueue(try request("i:2"))
            let running = try #require(try await store.claimJobs(worker: "w", kinds: ["i.change"], limit: 1, lease: .seconds(30), now: Date()).first)
            #expect(try await heldCount(store, integration: "i") == 0)

            try await store.setIntegrationState(id: "i", state: .paused)
            #expect(try await heldCount(store, integration: "i") == 1, "the pending job is held; the running one finishes its attempt")
            try await store.enqueue(try request("i:3"))
            #expect(try await heldCount(store, integration: "i") == 2, "a job enqueued while paused is held")
            try await store.retryJob(running, at: Date(), error: "vendor down", audit: AuditEntry(action: "k", outcome: .retrying))
            #expect(try await heldCount(store, integration: "i") == 3, "a job returned to the queue while paused is held")
            #expect(try await store.claimJobs(worker: "w", kinds: ["i.change"], limit: 10, lease: .seconds(30), now: Date()).isEmpty)

            // A job enqueued as the pause committed carries no mark; the claim still holds it.
            try await store.backend.query("UPDATE jobs SET held = 0 WHERE coalesce_key = 'i:3'", [])
            #expect(try await store.claimJobs(worker: "w", kinds: ["i.change"], limit: 10, lease: .seconds(30), now: Date()).isEmpty)

            try await store.setIntegrationState(id: "i", state: .active)
            #expect(try await heldCount(store, integration: "i") == 0)
            let claimed = try await store.claimJobs(worker: "w", kinds: ["i.change"], limit: 10, lease: .seconds(30), now: Date())
            #expect(Set(claimed.compactMap(\.job.coalesceKey)) == ["i:1", "i:2", "i:3"])

            // Saving the integration paused (an `apply` of a paused one) marks its jobs too.
            try await store.enqueue(try request("i:4"))
            try await store.saveIntegration(IntegrationRecord(id: "i", kind: "k", connections: [:], state: .paused))
            #expect(try await heldCount(store, integration: "i") == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func removingAPausedIntegrationFreesItsJobsForTheirDeadLetter(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.saveIntegration(IntegrationRecord(id: "gone", kind: "k", connections: [:], state: .paused))
            try await store.enqueue(try JobRequest(kind: "gone.change", integrationID: "gone", coalesceKey: "gone:1", payload: ["id": "1"], source: .webhook))
            #expect(try await heldCount(store, integration: "gone") == 1)
            try await store.removeIntegration(id: "gone")
            #expect(try await heldCount(store, integration: "gone") == 0)
            // Claimable again: its handler finds the integration gone and makes it a dead letter.
            #expect(try await store.claimJobs(worker: "w", kinds: ["gone.change"], limit: 1, lease: .seconds(30), now: Date()).count == 1)
        }
    }

    /// On PostgreSQL, a job enqueued while a resume is committing must not keep `held = 1`: its
    /// insert read the integration paused, and the resume's marking could not see it yet.
    @Test(.enabled(if: TestDatabase.postgresAvailable, "ML_CONNECTOR_TEST_POSTGRES_URL is not set"))
    func aJobEnqueuedDuringAResumeIsNotLeftHeld() async throws {
        try await TestDatabase.postgres.withStore { store in
            try await store.saveIntegration(IntegrationRecord(id: "r", kind: "k", connections: [:], state: .paused))
            let inserted = AsyncStream.makeStream(of: Void.self)
            let enqueue = Task {
                try await store.backend.transaction { db in
                    _ = try await SQLStore.enqueue(try JobRequest(kind: "r.change", integrationID: "r", coalesceKey: "r:1", payload: ["id": "1"], source: .webhook),
                                                   in: db, dialect: store.backend.dialect)
                    inserted.continuation.yield()
                    // The resume runs now, while this insert is not yet committed.
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            for await _ in inserted.stream { break }
            try await store.setIntegrationState(id: "r", state: .active)
            try await enqueue.value
            #expect(try await heldCount(store, integration: "r") == 0, "a held job of an active integration would never be claimed")
            #expect(try await store.claimJobs(worker: "w", kinds: ["r.change"], limit: 1, lease: .seconds(30), now: Date()).count == 1)
        }
    }

    private func heldCount(_ store: SQLStore, integration: String) async throws -> Int {
        let rows = try await store.backend.query("SELECT COUNT(*) AS n FROM jobs WHERE integration_id = $1 AND state = 'pending' AND held = 1", [.text(integration)])
        return Int(try rows.first?.int("n") ?? 0)
    }
}
