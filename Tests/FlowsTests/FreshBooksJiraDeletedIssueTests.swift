import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Jira
import Sandbox
import Store
import TestSupport
import Testing

/// `jira.notice_deleted`: a Jira dynamic webhook on the project, registered and kept by the
/// upkeep, tells when a tracking issue is deleted in Jira; the link is dropped and a replay
/// makes the issue again.
@Suite struct FreshBooksJiraDeletedIssueTests {
    @Test func aTrackingIssueDeletedInJiraIsNoticedAndAReplayMakesItAgain() async throws {
        try await FreshBooksFixture.with { fb in
            try await withSandbox(try await JiraSandbox.serve()) { jiraSandbox, jiraServer in
                let store = fb.store
                let jiraConnection = try await JiraFixture.addConnection(id: "jira-oauth", sandbox: jiraSandbox, server: jiraServer, oauth: true, to: store)
                let jira = JiraClient(pipeline: fb.pipeline, connection: jiraConnection)
                let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "d-engagement", previousAttemptUncertain: false)
                let registry = IntegrationRegistry([FreshBooksJiraIntegration()])
                try await withLiveEngine(store: store, pipeline: fb.pipeline, extra: registry.handlers(pipeline: fb.pipeline)) { engine in
                    let recentAudit: () async throws -> String = { "recent audit: \(try await store.auditEntries(AuditFilter(limit: 12)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" })" }
                    let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: engine.baseURL))
                    let yaml = FreshBooksJiraEndToEndTests.yaml(freshbooks: fb.connection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey, defaultIssue: engagement.key)
                        .replacingOccurrences(of: "  amount_field: Amount", with: "  amount_field: Amount\n  notice_deleted: true")
                    let applied = try await registry.apply(yaml: yaml, context: context)
                    #expect(applied.scheduled.contains { $0.hasPrefix("jira webhook on project \(jiraSandbox.projectKey)") })
                    try await eventually("the Jira webhook", timeout: .seconds(20), diagnostics: recentAudit) {
                        try await store.subscriptions(connectionID: jiraConnection.id).first?.status == .active
                    }
                    try await eventually("FreshBooks callbacks", timeout: .seconds(20), diagnostics: recentAudit) {
                        try await store.subscriptions(connectionID: fb.connection.id).filter { $0.status == .active }.count == FreshBooksJiraIntegration.events.count
                    }
                    let bill = try #require(fb.sandbox.receiveBill(vendor: "Paper Co", email: nil, number: "P-1", amount: "19.99", issueDate: "2026-03-01"))
                    let source = ExternalRef.freshbooks(.bill, bill)
                    try await eventually("the bill's issue", timeout: .seconds(20), diagnostics: recentAudit) { try await !store.links(integrationID: "firm-finance", source: source).isEmpty }
                    let issueID = try #require(try await store.links(integrationID: "firm-finance", source: source).first?.target.id)

                    // Someone deletes it in Jira.
                    try await jira.deleteIssue(issueID)
                    try await eventually("the deletion noticed", timeout: .seconds(20), diagnostics: recentAudit) { try await store.links(integrationID: "firm-finance", source: source).isEmpty }
                    #expect(try await store.auditEntries(AuditFilter(integrationID: "firm-finance", limit: 50)).contains { $0.action.hasPrefix("tracking issue \(issueID) deleted in Jira") })

                    // The bill's change, replayed, makes it once more.
                    let change = try #require(try await store.jobs(state: .succeeded, integrationID: "firm-finance", limit: 100).first { job in
                        (try? job.decodePayload(TriggerRouter.ChangePayload.self).event.ref) == source
                    })
                    _ = try await store.replay(id: change.id, now: Date())
                    engine.pool.nudge()
                    try await eventually("the issue made again", timeout: .seconds(20), diagnostics: recentAudit) { try await !store.links(integrationID: "firm-finance", source: source).isEmpty }
                    #expect(try await store.links(integrationID: "firm-finance", source: source).first?.target.id != issueID)
                }
            }
        }
    }
}
