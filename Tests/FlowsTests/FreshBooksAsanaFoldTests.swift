import Flows
import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// A project's reconciliation waits a second so a burst of task changes folds into it. The
/// wait is counted from the first change: a steady stream of changes, or a retry folding into
/// the pending run, never pushes the run later (it would never run while people kept working).
@Suite struct FreshBooksAsanaFoldTests {
    @Test(arguments: TestDatabase.available)
    func aStreamOfChangesNeverPostponesTheReconciliation(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let start = Date()
            let key = FreshBooksAsanaBillingJob.serializationKey(integrationID: "fold", projectGID: "P1")
            func change(at offset: TimeInterval, task: String) async throws -> EnqueueResult {
                // What a task change enqueues: the reconciliation, a second after the change.
                try await store.enqueue(JobRequest(kind: FreshBooksAsanaBillingJob.kind, integrationID: "fold", coalesceKey: key,
                                                   payload: #"{"project":"P1","task":"\#(task)"}"#, runAt: start.addingTimeInterval(offset + 1)))
            }
            let first = try await change(at: 0, task: "T0")
            for step in 1...20 {
                #expect(try await change(at: Double(step) * 0.4, task: "T\(step)").jobID == first.jobID)
            }
            let pending = try #require(try await store.job(id: first.jobID))
            #expect(abs(pending.runAt.timeIntervalSince(start.addingTimeInterval(1))) < 0.01, "ran at \(pending.runAt.timeIntervalSince(start))s")
            #expect(pending.mergedCount == 20)

            // It runs; a change meanwhile makes the next run, and the running one's retry folds
            // into it without postponing it either.
            let claim = try #require(try await store.claimJobs(worker: "w", kinds: [FreshBooksAsanaBillingJob.kind], limit: 1, lease: .seconds(30),
                                                               now: start.addingTimeInterval(1)).first)
            let next = try await change(at: 1.2, task: "T21")
            try await store.retryJob(claim, at: start.addingTimeInterval(60), error: "503", audit: AuditEntry(action: "billing", outcome: .retrying))
            #expect(try await store.job(id: claim.job.id)?.state == .merged)
            let following = try #require(try await store.job(id: next.jobID))
            #expect(abs(following.runAt.timeIntervalSince(start.addingTimeInterval(2.2))) < 0.01, "ran at \(following.runAt.timeIntervalSince(start))s")
        }
    }
}
