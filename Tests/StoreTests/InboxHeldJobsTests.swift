import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// Jobs webhooks enqueued for a paused integration are held; looking at the queue past them
/// must stay cheap, because on SQLite every claim holds the one connection that webhook ingest
/// needs too (a claim that read every due job for every candidate took 0.5 s over 2,000 held
/// jobs, and idle workers starved ingest).
@Suite struct InboxHeldJobsTests {
    @Test(arguments: TestDatabase.available)
    func aClaimPastTwoThousandHeldJobsIsQuick(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.saveIntegration(IntegrationRecord(id: "held", kind: "k", connections: [:], state: .paused))
            let items = try (0..<2_000).map { index in
                let event = ChangeEvent(eventID: "held-\(index)", ref: ExternalRef(system: .custom("held"), type: "record", id: "\(index)"), action: .updated)
                return InboxItem(system: .custom("held"), event: event, subscriptionID: nil,
                                 jobs: [try JobRequest(kind: "held.change", integrationID: "held", coalesceKey: "held:\(index)", payload: ["id": "\(index)"], source: .webhook)])
            }
            #expect(try await store.ingest(items).count == 2_000)
            let clock = ContinuousClock()
            let started = clock.now
            let claims = try await store.claimJobs(worker: "w", kinds: ["held.change"], limit: 1, lease: .seconds(30), now: Date())
            let took = clock.now - started
            #expect(claims.isEmpty, "a paused integration's jobs are held")
            #expect(took < .milliseconds(150), "one claim took \(took)")
        }
    }
}
