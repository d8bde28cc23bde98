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

/// The services-firm case through `integration apply`, the real server, store and workers and
/// both sandboxes over HTTP, with Jira search lagging, a lost create response, a 429 storm and
/// FreshBooks webhooks dropped for a while (the poll converges).
@Suite struct FreshBooksJiraEndToEndTests {
    static func yaml(freshbooks: String, jira: String, project: String, defaultIssue: String, rollbackTo: String? = nil) -> String {
        (rollbackTo.map { "rollback: { transition_to: \($0) }\n" } ?? "") + """
        name: firm-finance
        kind: freshbooks-jira
        connections: { freshbooks: \(freshbooks), jira: \(jira) }
        jira:
          project: \(project)
          issue_types: { invoice: Invoice Created, bill: Bill Received, payment_received: Payment Received, payment_failed: Payment Failed, refund: Refund, expense: Expense }
          amount_field: Amount
        worklogs:
          default_issue: \(defaultIssue)
        """
    }

    @Test(arguments: TestDatabase.available)
    func financeEventsBecomeIssuesOnceAndTimeBecomesWorklogs(_ database: TestDatabase) async throws {
        var jiraConfiguration = JiraSandbox.Configuration()
        jiraConfiguration.searchLag = .milliseconds(800)
        try await FreshBooksFixture.with(database: database) { fb in
            try await withSandbox(try await JiraSandbox.serve(configuration: jiraConfiguration)) { jiraSandbox, jiraServer in
                let store = fb.store
                let jiraConnection = try await JiraFixture.addConnection(id: "jira-firm", sandbox: jiraSandbox, server: jiraServer, to: store)
                let jira = JiraClient(pipeline: fb.pipeline, connection: jiraConnection)
                let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "test-engagement", previousAttemptUncertain: false)
                let integration = FreshBooksJiraIntegration(consistency: SearchConsistency(attempts: 6, firstWait: .milliseconds(200)))
                let registry = IntegrationRegistry([integration])
                try await withLiveEngine(store: store, pipeline: fb.pipeline, extra: registry.handlers(pipeline: fb.pipeline)) { engine in
                    let recentAudit: () async throws -> String = {
                        "recent audit: \(try await store.auditEntries(AuditFilter(limit: 12)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" })"
                    }
                    func idle() async throws { try await untilIdle(store, diagnostics: recentAudit) }
                    func issueLinks() async throws -> [Link] { try await store.links(integrationID: "firm-finance").filter { $0.target.type == JiraRecord.issue.rawValue } }
                    func financeIssues() async throws -> [JiraIssue] {
                        // Past the search lag, every issue is visible.
                        try await Task.sleep(for: .seconds(1))
                        return try await jira.search(jql: "project = \(jiraSandbox.projectKey) ORDER BY created ASC").collect().filter { $0.fields?.labels?.contains { $0.hasPrefix("mlc-fb-") } == true }
                    }

                    let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: engine.baseURL))
                    let applied = try await registry.apply(yaml: Self.yaml(freshbooks: fb.connection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey, defaultIssue: engagement.key,
                                                                     rollbackTo: "Done"),
                                                           context: context)
                    #expect(applied.resolved.contains("amount field customfield_10050 = \"Amount\""))
                    try await eventually("FreshBooks callbacks active", timeout: .seconds(20), diagnostics: recentAudit) {
                        let subscriptions = try await store.subscriptions(connectionID: fb.connection.id)
                        return subscriptions.count == FreshBooksJiraIntegration.events.count && subscriptions.allSatisfy { $0.status == .active }
                    }

                    // 1. Webhooks on; the first create's answer is lost, then Jira answers 429 four times.
                    var faults = FaultPlan()
                    faults.loseNextCreateResponses = 1
                    jiraSandbox.setFaults(faults)
                    let client = try await fb.client.createClient(ClientDraft(organization: "Acme Corp", email: "blake@sandbox-agency.test"))
                    let invoice = try await fb.client.createInvoice(InvoiceDraft(customerID: client.id, invoiceNumber: "INV-1001", currencyCode: "USD",
                                                                                 lines: [InvoiceLine(name: "Advisory", quantity: 10, unitCost: Money(150, try CurrencyCode("USD")))]),
                                                                    previousAttemptUncertain: false)
                    try await eventually("the invoice's issue", timeout: .seconds(20), diagnostics: recentAudit) { try await issueLinks().count == 1 }
                    var storm = FaultPlan()
                    storm.failNext = 4
                    storm.failStatus = 429
                    jiraSandbox.setFaults(storm)
                    fb.sandbox.receiveBill(vendor: "Cloud Hosting Ltd", email: "casey@sandbox-agency.test", number: "CH-778", amount: "412.40", issueDate: "2026-03-02")
                    let received = try #require(fb.sandbox.recordPayment(invoiceID: invoice.id, amount: "900.00"))
                    // The card on file is declined for the 600.00 left: FreshBooks marks the invoice (`autobill_status`), records no payment.
                    #expect(fb.sandbox.settleAutobill(invoiceID: invoice.id, status: "failed"))
                    try await eventually("four issues", timeout: .seconds(30), diagnostics: recentAudit) { try await issueLinks().count == 4 }
                    try await idle()
                    fb.sandbox.changePayment(id: received, type: "Refund")
                    try await eventually("the refund's issue", timeout: .seconds(20), diagnostics: recentAudit) { try await issueLinks().count == 5 }

                    let invoiceRef = ExternalRef.freshbooks(.invoice, invoice.id)
                    let failures: () async throws -> [String] = {
                        try await store.links(integrationID: "firm-finance", source: invoiceRef).map(\.contentHash).filter { $0.hasPrefix("payment_failed") }.sorted()
                    }
                    #expect(try await failures() == ["payment_failed#1"])

                    // 2. Webhooks dropped: the poll finds the autobill's retry and its second failure (a new episode, a new issue),
                    // the expense and the time entry; its read of the first failure adds nothing.
                    var dropped = FaultPlan()
                    dropped.dropWebhooks = true
                    fb.sandbox.setFaults(dropped)
                    let record = try #require(try await store.integration(id: "firm-finance"))
                    #expect(fb.sandbox.settleAutobill(invoiceID: invoice.id, status: "retry"))
                    try await registry.runNow(record, context: context)
                    engine.pool.nudge()
                    try await eventually("the first failure over", timeout: .seconds(20), diagnostics: recentAudit) { try await failures() == ["payment_failed#1 over"] }
                    #expect(fb.sandbox.settleAutobill(invoiceID: invoice.id, status: "failed"))
                    let expense = try await fb.client.createExpense(ExpenseDraft(categoryID: 1, date: "2026-03-03", amount: Money(Decimal(string: "54.20")!, try CurrencyCode("USD")),
                                                                                 vendor: "Rail Co", staffID: 3))
                    let entry = fb.sandbox.logTime(startedAt: "2026-03-09T09:00:00", seconds: 5400, note: "Workshop prep")
                    let mistaken = fb.sandbox.logTime(startedAt: "2026-03-09T14:00:00", seconds: 600, note: "Logged by mistake")
                    try await registry.runNow(record, context: context)
                    engine.pool.nudge()
                    try await eventually("the expense's and the second failure's issues", timeout: .seconds(20), diagnostics: recentAudit) { try await issueLinks().count == 7 }
                    #expect(try await failures() == ["payment_failed#1 over", "payment_failed#2"])
                    let worklogSource = ExternalRef.freshbooks(.timeEntry, entry)
                    try await eventually("the worklogs", timeout: .seconds(20), diagnostics: recentAudit) {
                        let first = try await store.links(integrationID: "firm-finance", source: worklogSource)
                        let second = try await store.links(integrationID: "firm-finance", source: .freshbooks(.timeEntry, mistaken))
                        return !first.isEmpty && !second.isEmpty
                    }
                    try await idle()
                    #expect(try await jira.worklogs(issue: engagement.key).collect().count == 2)
                    // Still no webhooks: an entry deleted in FreshBooks leaves every list; the check of linked entries finds it gone.
                    fb.sandbox.deleteTime(id: mistaken)
                    try await registry.runNow(record, context: context)
                    engine.pool.nudge()
                    try await eventually("the mistaken entry's worklog deleted", timeout: .seconds(20), diagnostics: recentAudit) {
                        try await store.links(integrationID: "firm-finance", source: .freshbooks(.timeEntry, mistaken)).isEmpty
                    }
                    try await idle()
                    var worklogs = try await jira.worklogs(issue: engagement.key).collect()
                    #expect(worklogs.count == 1)
                    #expect(worklogs.first.map { JiraTime.format($0.started) } == "2026-03-09T13:00:00.000+0000", "09:00 US/Eastern (EDT) is 13:00 UTC")
                    #expect(worklogs.first?.timeSpentSeconds == 5400)

                    // 3. Webhooks back: an edit updates the worklog, a deletion deletes it.
                    fb.sandbox.setFaults(FaultPlan())
                    fb.sandbox.editTime(id: entry, seconds: 7200)
                    try await eventually("the edited worklog", timeout: .seconds(20), diagnostics: recentAudit) {
                        try await jira.worklogs(issue: engagement.key).collect().first?.timeSpentSeconds == 7200
                    }
                    fb.sandbox.deleteTime(id: entry)
                    try await eventually("the deleted worklog", timeout: .seconds(20), diagnostics: recentAudit) { try await jira.worklogs(issue: engagement.key).collect().isEmpty }
                    try await idle()

                    // Issues: one per event, of the right type, with amount and reporter.
                    var issues = try await financeIssues()
                    #expect(issues.count == 7)
                    let failed = issues.filter { $0.fields?.issuetype?.name == "Payment Failed" }.compactMap { $0.fields?.summary }.sorted()
                    #expect(failed == ["Payment failed autobill of invoice INV-1001 (failure 2) · 600.00 USD · Acme Corp", "Payment failed autobill of invoice INV-1001 · 600.00 USD · Acme Corp"])
                    #expect(Set(issues.compactMap { $0.fields?.issuetype?.name }) == ["Invoice Created", "Bill Received", "Payment Received", "Payment Failed", "Refund", "Expense"])
                    let invoiceIssue = try await jira.issue(try #require(try await store.links(integrationID: "firm-finance", source: .freshbooks(.invoice, invoice.id)).first).target.id,
                                                            custom: ["customfield_10050"])
                    #expect(invoiceIssue.fields?.custom["customfield_10050"] == .number(1500))
                    #expect(invoiceIssue.fields?.reporter?.emailAddress == "blake@sandbox-agency.test")
                    #expect(invoiceIssue.fields?.summary == "Invoice INV-1001 · 1500.00 USD · Acme Corp")
                    let expenseLink = try #require(try await store.links(integrationID: "firm-finance", source: .freshbooks(.expense, expense.id)).first)
                    #expect(try await jira.issue(expenseLink.target.id).fields?.reporter?.emailAddress == "casey@sandbox-agency.test", "the staff member who recorded it")

                    // 4. Rollback of the invoice's change job (deleting is not allowed here: `transition_to`) moves its issue
                    // to Done without its label; the demo covers deletion. Its replay makes the issue once more.
                    let change = try #require(try await store.jobs(state: .succeeded, integrationID: "firm-finance", limit: 1000).first { job in
                        job.kind == TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind) && (try? job.decodePayload(TriggerRouter.ChangePayload.self).event.ref) == invoiceRef
                    })
                    let rollback = try await Rollback.request(for: change.id, store: store, registry: registry, pipeline: fb.pipeline)
                    try await store.enqueue(rollback)
                    engine.pool.nudge()
                    try await eventually("the rollback", timeout: .seconds(20), diagnostics: recentAudit) { try await store.links(integrationID: "firm-finance", source: invoiceRef).isEmpty }
                    let undone = try await jira.issue(invoiceIssue.key)
                    #expect(undone.fields?.status?.name == "Done" && undone.fields?.labels?.contains { $0.hasPrefix("mlc-") } == false)
                    #expect(try await store.auditEntries(AuditFilter(integrationID: "firm-finance", limit: 50)).contains { $0.action.hasPrefix("rollback of job \(change.id)") })
                    _ = try await store.replay(id: change.id, now: Date())
                    engine.pool.nudge()
                    try await eventually("the replayed issue", timeout: .seconds(20), diagnostics: recentAudit) { try await !store.links(integrationID: "firm-finance", source: invoiceRef).isEmpty }
                    try await idle()
                    #expect(try await store.links(integrationID: "firm-finance", source: invoiceRef).first?.target.id != invoiceIssue.id, "a fresh issue, not the one moved to Done")

                    // 5. Every job run again duplicates nothing.
                    for job in try await store.jobs(state: .succeeded, integrationID: "firm-finance", limit: 1000) where !job.kind.hasSuffix(".rollback") {
                        _ = try await store.replay(id: job.id, now: Date())
                    }
                    engine.pool.nudge()
                    try await idle()
                    issues = try await financeIssues()
                    let labels = issues.compactMap { $0.fields?.labels?.first { $0.hasPrefix("mlc-fb-") } }
                    // The invoice's three issues were moved to Done without labels; its replay made the invoice's and one
                    // failure's again (the autobill still fails), under episode 1's key.
                    #expect(issues.count == 6 && Set(labels).count == 6)
                    #expect(try await failures() == ["payment_failed#1"])
                    worklogs = try await jira.worklogs(issue: engagement.key).collect()
                    #expect(worklogs.isEmpty)
                    #expect(try await store.deadLetters(tenant: nil, includeReplayed: true, limit: 10).isEmpty)
                }
            }
        }
    }
}
