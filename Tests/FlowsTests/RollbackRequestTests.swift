import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Store
import TestSupport
import Testing

/// `rollback <audit-or-job-id>`: which change a job id or an audit entry id names, and what is
/// refused.
@Suite struct RollbackRequestTests {
    @Test func aChangeJobOrAnAuditEntryOfItNamesTheRecordToUndo() async throws {
        let store = try await TestDatabase.sqlite.makeStore().store
        try await withStarted({ store }, stop: { await $0.close() }) { store in
            for (id, system) in [("fb", SystemKind.freshbooks), ("jira", .jira)] {
                try await store.addConnection(Connection(id: id, tenant: "north", system: system), credential: Credential(kind: .apiToken, accessToken: "token-\(id)"))
            }
            try await store.saveIntegration(IntegrationRecord(id: "firm", tenant: "north", kind: FreshBooksJiraConfig.kind, connections: ["freshbooks": "fb", "jira": "jira"]))
            let ref = ExternalRef.freshbooks(.invoice, 42)
            let change = try await store.enqueue(try JobRequest(kind: TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind), tenant: "north", integrationID: "firm",
                                                                connectionID: "fb", coalesceKey: TriggerRouter.coalesceKey(integrationID: "firm", ref: ref), payload: TriggerRouter.ChangePayload(event: ChangeEvent(eventID: "e1", ref: ref, action: .created), trigger: .webhook)))
            try await store.appendAudit(AuditEntry(tenant: "north", integrationID: "firm", jobID: change.jobID, sourceRef: ref.description, action: "create issue MLC-1", outcome: .succeeded))
            let auditID = try #require(try await store.auditEntries(AuditFilter(jobID: change.jobID)).first?.id)
            let pipeline = HTTPPipeline(credentials: store)
            for id in [change.jobID, String(auditID)] {
                let request = try await Rollback.request(for: id, store: store, pipeline: pipeline)
                #expect(request.kind == "freshbooks-jira.rollback" && request.tenant == "north" && request.integrationID == "firm")
                #expect(request.coalesceKey == TriggerRouter.coalesceKey(integrationID: "firm", ref: ref), "the record's change key: never beside its change job")
                #expect(try JSONDecoder().decode(Rollback.Payload.self, from: Data(request.payload.utf8)) == Rollback.Payload(source: ref, job: change.jobID))
            }
            // A rollback job is itself a change that can be named again (it undoes the same record).
            let rollback = try await store.enqueue(try Rollback.request(for: change.jobID, store: store, pipeline: pipeline))
            #expect(try await Rollback.request(for: rollback.jobID, store: store, pipeline: pipeline).kind == "freshbooks-jira.rollback")
            // Queued beside the pending change, it neither replaces it nor runs with it.
            let claimed = try await store.claimJobs(worker: "t", kinds: [TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind), "freshbooks-jira.rollback"],
                                                    limit: 10, lease: .seconds(30), now: Date())
            #expect(claimed.map(\.job.id) == [change.jobID])

            let poll = try await store.enqueue(try JobRequest(kind: "poll", tenant: "north", integrationID: "firm", connectionID: "fb", payload: ["feed": "invoices"]))
            for (id, says) in [("no-such-job", "neither a job id nor an audit entry id"), ("999999", "neither a job id nor an audit entry id"), (poll.jobID, "give the id of a change job")] {
                await #expect { try await Rollback.request(for: id, store: store, pipeline: pipeline) } throws: { error in
                    guard case ConnectorError.validation(let field, let message) = error else { return false }
                    return field == "id" && message.contains(says)
                }
            }
        }
    }
}
