import ConnectorKit
import Engine
import Foundation
import Server
import Store
import TestSupport
import Testing

@Suite struct RetentionTests {
    @Test(arguments: TestDatabase.available)
    func agedRecordsGoInBatchesAndDeadLettersStay(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            // An inbox row, a succeeded job, a dead job, and an audit entry, all written now.
            let event = ChangeEvent(eventID: "evt-r1", ref: ExternalRef(system: .custom("r"), type: "record", id: "1"), action: .updated)
            _ = try await store.ingest([InboxItem(system: .custom("r"), event: event, subscriptionID: nil, jobs: [])])
            for index in 0..<5 {
                try await store.enqueue(JobRequest(kind: "r.job", tenant: "default", coalesceKey: "done-\(index)", payload: "{}"))
            }
            try await store.enqueue(JobRequest(kind: "r.dead", tenant: "default", coalesceKey: "dead", payload: "{}"))
            let due = Date().addingTimeInterval(1)
            for claim in try await store.claimJobs(worker: "w", kinds: ["r.job"], limit: 10, lease: .seconds(30), now: due) {
                // Each job confirms the intent of what it made.
                try await store.completeJob(claim, writes: [.closeIntent(integrationID: "i1", key: "made:\(claim.job.coalesceKey ?? "")", targetRef: nil)],
                                            audit: AuditEntry(action: "done", outcome: .succeeded), now: due)
            }
            // An intent no job confirmed: its effect is uncertain, so it is never aged out.
            #expect(try await store.beginIntent(integrationID: "i1", key: "uncertain", claim: nil, aim: nil, now: now) == nil)
            let deadClaim = try #require(try await store.claimJobs(worker: "w", kinds: ["r.dead"], limit: 1, lease: .seconds(30), now: due).first)
            _ = try await store.deadLetterJob(deadClaim, error: "boom", errorKind: "permanent", audit: AuditEntry(action: "dead", outcome: .dead))

            let sweeper = RetentionSweeper(store: store, policy: RetentionPolicy(batchSize: 2))
            #expect(try await sweeper.sweep(now: now).values.reduce(0, +) == 0)

            let week = try await sweeper.sweep(now: now.addingTimeInterval(8 * 86_400))
            #expect(week[.inbox] == 1 && week[.finishedJobs] == 5 && week[.audit] == 0 && week[.doneIntents] == 0)
            #expect(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).count == 1)
            #expect(try await store.auditEntries(AuditFilter()).count == 6)

            let quarter = try await sweeper.sweep(now: now.addingTimeInterval(91 * 86_400))
            #expect(quarter[.audit] == 6 && quarter[.doneIntents] == 5)
            #expect(try await store.intent(integrationID: "i1", key: "made:done-0") == nil)
            #expect(try await store.intent(integrationID: "i1", key: "uncertain")?.state == .open)
            #expect(try await store.auditEntries(AuditFilter()).isEmpty)
            #expect(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).count == 1)

            // Outside the sweep the trail is still append-only.
            try await store.appendAudit(AuditEntry(action: "kept", outcome: .succeeded))
            await #expect(throws: (any Error).self) {
                try await store.backend.query("DELETE FROM audit_entries", [])
            }
            // A person discards the dead letter.
            let letter = try #require(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 1).first)
            _ = try await store.discardDeadLetter(id: letter.id)
            #expect(try await store.deadLetters(tenant: nil, includeReplayed: true, limit: 10).isEmpty)
        }
    }

    @Test func agesReadFromFlagsAndEnvironment() throws {
        #expect(try RetentionPolicy.parseAge("7d", field: "f") == .seconds(7 * 86_400))
        #expect(try RetentionPolicy.parseAge("12h", field: "f") == .seconds(12 * 3600))
        #expect(throws: ConnectorError.self) { try RetentionPolicy.parseAge("7 weeks", field: "--retain-inbox") }
        #expect(throws: ConnectorError.self) { try RetentionPolicy.parseAge("99999999999999d", field: "f") }
        let policy = try RetentionPolicy().overridden(by: ["ML_CONNECTOR_RETAIN_INBOX": "2d", "ML_CONNECTOR_RETAIN_AUDIT": "30d"])
        #expect(policy.inbox == .seconds(2 * 86_400) && policy.audit == .seconds(30 * 86_400) && policy.finishedJobs == .seconds(7 * 86_400))
    }
}
