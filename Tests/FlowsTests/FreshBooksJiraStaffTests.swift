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

/// Reporters of expense issues: the FreshBooks staff member an expense names (`staffid`),
/// matched by email to a Jira user; the staff list is read once for a run of expenses, not
/// once per expense.
@Suite struct FreshBooksJiraStaffTests {
    @Test(arguments: TestDatabase.available)
    func expensesAreReportedByTheStaffMemberWhoRecordedThem(_ database: TestDatabase) async throws {
        try await FreshBooksFixture.with(database: database) { fb in
            try await withSandbox(try await JiraSandbox.serve()) { jiraSandbox, jiraServer in
                let store = fb.store
                let jiraConnection = try await JiraFixture.addConnection(id: "jira-staff", sandbox: jiraSandbox, server: jiraServer, to: store)
                let jira = JiraClient(pipeline: fb.pipeline, connection: jiraConnection)
                let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "s-engagement", previousAttemptUncertain: false)
                let registry = IntegrationRegistry([FreshBooksJiraIntegration()])
                try await withLiveEngine(store: store, pipeline: fb.pipeline, extra: registry.handlers(pipeline: fb.pipeline)) { engine in
                    let recentAudit: () async throws -> String = { "recent audit: \(try await store.auditEntries(AuditFilter(limit: 12)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" })" }
                    let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil))
                    _ = try await registry.apply(yaml: FreshBooksJiraEndToEndTests.yaml(freshbooks: fb.connection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey,
                                                                                   defaultIssue: engagement.key), context: context)
                    let usd = try CurrencyCode("USD")
                    // Casey is staff 3 in the sandbox; Dana joins the staff (and is no Jira user).
                    let dana = fb.sandbox.addStaff(firstName: "Dana", lastName: "Contractor", email: "dana@elsewhere.test")
                    var expenses: [Int: Int] = [:]
                    for (index, staff) in [3, 3, 1, dana].enumerated() {
                        let expense = try await fb.client.createExpense(ExpenseDraft(categoryID: 1, date: "2026-03-0\(index + 1)", amount: Money(Decimal(10 + index), usd),
                                                                                     vendor: "Rail Co", staffID: staff))
                        expenses[expense.id] = staff
                    }
                    let record = try #require(try await store.integration(id: "firm-finance"))
                    try await registry.runNow(record, context: context)
                    engine.pool.nudge()
                    try await eventually("four expense issues", timeout: .seconds(30), diagnostics: recentAudit) {
                        try await store.links(integrationID: "firm-finance").filter { $0.target.type == JiraRecord.issue.rawValue }.count == 4
                    }
                    // Dana has no Jira account: the reporter is Jira's default, the connection's user.
                    let byDefault = try await jira.issue(engagement.key).fields?.reporter?.emailAddress
                    let emails = [1: "avery@sandbox-agency.test", 3: "casey@sandbox-agency.test", dana: byDefault]
                    for (expense, staff) in expenses {
                        let link = try #require(try await store.links(integrationID: "firm-finance", source: .freshbooks(.expense, expense)).first)
                        let issue = try await jira.issue(link.target.id)
                        #expect(issue.fields?.reporter?.emailAddress == emails[staff] ?? nil, "expense \(expense) of staff \(staff)")
                    }
                    let staffReads = fb.sandbox.requestCounts["GET /accounting/account/\(fb.sandbox.accountID)/users/staffs"] ?? 0
                    #expect(staffReads == 1, "four expenses, one read of the staff list")
                }
            }
        }
    }
}
