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

/// A failed autobill's "Payment Failed" issue made by a job that died before writing its link:
/// no link records the episode, and the retry finds the issue under the episode's key.
@Suite struct FreshBooksJiraAutobillReplayTests {
    @Test func aJobDeadAfterTheFailureIssueMakesOneIssueOnRetry() async throws {
        try await FreshBooksFixture.with { fb in
            try await withSandbox(try await JiraSandbox.serve()) { jiraSandbox, jiraServer in
                let store = fb.store
                let jiraConnection = try await JiraFixture.addConnection(id: "jira-ab", sandbox: jiraSandbox, server: jiraServer, to: store)
                let jira = JiraClient(pipeline: fb.pipeline, connection: jiraConnection)
                let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "ab-engagement", previousAttemptUncertain: false)
                let registry = IntegrationRegistry([FreshBooksJiraIntegration()])
                let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil))
                _ = try await registry.apply(yaml: FreshBooksJiraEndToEndTests.yaml(freshbooks: fb.connection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey,
                                                                               defaultIssue: engagement.key), context: context)
                let kind = TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind)
                let runner = JobRunner(store: store, registry: JobRegistry(registry.handlers(pipeline: fb.pipeline)))
                let client = try await fb.client.createClient(ClientDraft(organization: "Acme Corp", email: "blake@sandbox-agency.test"))
                let invoice = try await fb.client.createInvoice(InvoiceDraft(customerID: client.id, invoiceNumber: "INV-7", currencyCode: "USD",
                                                                             lines: [InvoiceLine(name: "Advisory", quantity: 4, unitCost: Money(150, try CurrencyCode("USD")))]),
                                                                previousAttemptUncertain: false)
                let ref = ExternalRef.freshbooks(.invoice, invoice.id)
                func change(_ name: String) async throws -> String {
                    let event = ChangeEvent(eventID: name, ref: ref, action: .updated, connectionID: fb.connection.id)
                    return try await store.enqueue(try JobRequest(kind: kind, integrationID: "firm-finance", connectionID: fb.connection.id,
                                                                  coalesceKey: TriggerRouter.coalesceKey(integrationID: "firm-finance", ref: ref),
                                                                  payload: TriggerRouter.ChangePayload(event: event, trigger: .webhook))).jobID
                }
                func runOnce() async throws -> JobRunner.Result {
                    let claim = try #require(try await store.claimJobs(worker: "t", kinds: [kind], limit: 1, lease: .seconds(30), now: Date()).first)
                    return await runner.run(claim)
                }
                func hashes() async throws -> [String] { try await store.links(integrationID: "firm-finance", source: ref).map(\.contentHash).sorted() }

                _ = try await change("ab-1")
                #expect(try await runOnce() == .succeeded)
                #expect(try await hashes() == ["invoice"])

                // The card is declined. A job made the failure's issue and died before its outcome was written:
                // the intent under the episode's key is open, and no link records the episode.
                #expect(fb.sandbox.settleAutobill(invoiceID: invoice.id, status: "failed"))
                let usd = try CurrencyCode("USD")
                let episode = FreshBooksJiraMapping.FinanceRecord(kind: .payment_failed, source: ref, number: FreshBooksJiraAutobill.number(invoice: "INV-7", episode: 1),
                                                                  amount: Money(600, usd), counterparty: "Acme Corp", email: nil, date: nil, clientID: client.id, episode: 1)
                let key = FreshBooksJiraMapping.issueKey(accountID: fb.sandbox.accountID, record: episode)
                _ = try await store.beginIntent(integrationID: "firm-finance", key: key, claim: nil, aim: nil, now: Date())
                // Made under another key, so only Jira's search (not this process's memory of its creates) finds it by the episode's label.
                _ = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Payment Failed", summary: "made by the attempt that died",
                                                          labels: [JiraClient.idempotencyLabel(key)]), key: "ab-dead-attempt", previousAttemptUncertain: false)

                // Its retry, and a later read of the same failure, add no issue.
                _ = try await change("ab-2")
                #expect(try await runOnce() == .succeeded)
                _ = try await change("ab-3")
                #expect(try await runOnce() == .unchanged)
                #expect(try await hashes() == ["invoice", "payment_failed#1"])
                try await Task.sleep(for: .seconds(1))
                let failures = try await jira.search(jql: "project = \(jiraSandbox.projectKey) ORDER BY created ASC").collect().filter { $0.fields?.issuetype?.name == "Payment Failed" }
                #expect(failures.count == 1, "one issue for the one failure: \(failures.compactMap { $0.fields?.summary })")
            }
        }
    }
}
