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

/// A worklog whose create answer was lost is looked for where that attempt logged it, not only
/// where the entry's note points now.
@Suite struct FreshBooksJiraWorklogLookUpTests {
    @Test func aNoteMovedBetweenAttemptsStillMakesOneWorklog() async throws {
        try await FreshBooksFixture.with { fb in
            try await withSandbox(try await JiraSandbox.serve()) { jiraSandbox, jiraServer in
                let store = fb.store
                let jiraConnection = try await JiraFixture.addConnection(id: "jira-w", sandbox: jiraSandbox, server: jiraServer, to: store)
                let jira = JiraClient(pipeline: fb.pipeline, connection: jiraConnection)
                let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "w-engagement", previousAttemptUncertain: false)
                let workshop = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Task", summary: "Workshop"), key: "w-workshop", previousAttemptUncertain: false)
                let registry = IntegrationRegistry([FreshBooksJiraIntegration()])
                let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil))
                let yaml = FreshBooksJiraEndToEndTests.yaml(freshbooks: fb.connection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey, defaultIssue: engagement.key)
                _ = try await registry.apply(yaml: yaml, context: context)
                let kind = TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind)
                let runner = JobRunner(store: store, registry: JobRegistry(registry.handlers(pipeline: fb.pipeline)))
                func runOnce() async throws -> JobRunner.Result {
                    let claim = try #require(try await store.claimJobs(worker: "t", kinds: [kind], limit: 1, lease: .seconds(30), now: Date()).first)
                    return await runner.run(claim)
                }

                // The entry's note names the workshop issue; the worklog is made there but Jira's answer is lost.
                let entry = fb.sandbox.logTime(startedAt: "2026-03-09T09:00:00", seconds: 3600, note: "Prep for \(workshop.key)")
                let ref = ExternalRef.freshbooks(.timeEntry, entry)
                let event = ChangeEvent(eventID: "w-1", ref: ref, action: .created, connectionID: fb.connection.id)
                let id = try await store.enqueue(try JobRequest(kind: kind, integrationID: "firm-finance", connectionID: fb.connection.id,
                                                                coalesceKey: TriggerRouter.coalesceKey(integrationID: "firm-finance", ref: ref),
                                                                payload: TriggerRouter.ChangePayload(event: event, trigger: .webhook), maxAttempts: 1)).jobID
                var faults = FaultPlan()
                faults.loseNextCreateResponses = 1
                jiraSandbox.setFaults(faults)
                #expect(try await runOnce() == .dead)
                #expect(try await jira.worklogs(issue: workshop.key).collect().count == 1)

                // Before the replay, the note loses its key: the worklog now belongs on the default issue.
                #expect(fb.sandbox.editTime(id: entry, note: "Prep"))
                _ = try await store.replay(id: id, now: Date())
                #expect(try await runOnce() == .succeeded)
                let onWorkshop = try await jira.worklogs(issue: workshop.key).collect()
                let onEngagement = try await jira.worklogs(issue: engagement.key).collect()
                #expect(onWorkshop.isEmpty && onEngagement.count == 1, "one worklog, on the issue the note names now: \(onWorkshop.count) + \(onEngagement.count)")
                let links = try await store.links(integrationID: "firm-finance", source: ref)
                #expect(links.map(\.target.type) == [JiraRecord.worklog.rawValue], "one link, to the one worklog: \(links.map(\.target))")
            }
        }
    }
}
