import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Logging
import Sandbox
import Server
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// The agency case through the real server, store, workers and both sandboxes over HTTP.
@Suite struct FreshBooksAsanaEndToEndTests {
    @Test(arguments: TestDatabase.available)
    func aProjectBecomesAClientAndAPaidInvoiceComesBack(_ database: TestDatabase) async throws {
        try await FreshBooksFixture.with(database: database) { fb in
            try await withSandbox(try await AsanaSandbox.serve()) { asanaSandbox, asanaServer in
                let store = fb.store
                let asanaConnection = try await asanaSandbox.addPATConnection(id: "asana-agency", server: asanaServer, to: store)
                let asana = AsanaClient(pipeline: fb.pipeline, connection: asanaConnection)

                // Billing fields in Asana, by GID.
                let amount = asanaSandbox.createCustomField(name: "Billable amount", subtype: "number", precision: 2)
                let expenseField = asanaSandbox.createCustomField(name: "Expense", subtype: "number", precision: 2)
                let status = asanaSandbox.createCustomField(name: "Billing status", subtype: "enum", options: FreshBooksAsanaConfig.statuses)
                let yaml = """
                name: agency-billing
                kind: freshbooks-asana
                connections: { freshbooks: \(fb.connection.id), asana: \(asanaConnection.id) }
                asana:
                  workspace: "\(asanaSandbox.workspaceGID)"
                  team: "\(asanaSandbox.teamGID)"
                  fields:
                    billable_amount: "\(amount.gid)"
                    expense_amount: "\(expenseField.gid)"
                    billing_status:
                      field: "\(status.gid)"
                      options: { \(FreshBooksAsanaConfig.statuses.map { "\($0): \"\(status.options[$0]!)\"" }.joined(separator: ", ")) }
                freshbooks:
                  invoice: { group: per-project-month, number_prefix: "AGY-", currency: USD, mark_sent: false, due_offset_days: 30 }
                  expense: { category: 2 }
                """
                // The server and its workers.
                try await withLiveEngine(store: store, pipeline: fb.pipeline, extra: IntegrationRegistry().handlers(pipeline: fb.pipeline)) { engine in
                    let server = engine.server
                    let pool = engine.pool
                    let recentAudit: () async throws -> String = {
                        "recent audit: \(try await store.auditEntries(AuditFilter(limit: 12)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" })"
                    }
                    func idle() async throws {
                        try await eventually("an idle queue", timeout: .seconds(20), diagnostics: recentAudit) {
                            // Recurring upkeep is always scheduled ahead; only work that is due counts.
                            let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(2) }
                            let running = try await store.jobCounts()[.running, default: 0]
                            return due.isEmpty && running == 0
                        }
                    }

                    // The operator applies the integration: every GID is checked, then polls and webhooks on both sides are scheduled.
                    let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: server.baseURL))
                    let applied = try await IntegrationRegistry().apply(yaml: yaml, context: context)
                    #expect(applied.created && applied.scheduled.contains { $0.hasPrefix("poll asana team") })
                    try await eventually("webhooks active", timeout: .seconds(20), diagnostics: recentAudit) {
                        let subscriptions = try await store.subscriptions(connectionID: nil)
                        return subscriptions.count == 4 && subscriptions.allSatisfy { $0.status == .active }
                    }

                    // 1. A new engagement in Asana.
                    let project = try await asana.createProject(ProjectDraft(name: "Acme Corp: Website relaunch", team: asanaSandbox.teamGID, dueOn: "2026-12-31"))
                    for field in [amount.gid, status.gid, expenseField.gid] { asanaSandbox.attach(field: field, to: project.gid) }
                    try await eventually("the FreshBooks project", timeout: .seconds(20), diagnostics: recentAudit) { try await fb.client.projects().collect().count == 1 }
                    let fbProject = try #require(try await fb.client.projects().collect().first)
                    #expect(fbProject.title == "Website relaunch" && fbProject.due_date == "2026-12-31")
                    #expect(try await fb.client.clients().collect().map(\.organization) == ["Acme Corp"])

                    // 2. Its tasks are watched through a project webhook.
                    // Applied again (as an operator would after a change), the linked project is watched too.
                    _ = try await IntegrationRegistry().apply(yaml: yaml, context: context)
                    try await eventually("the project webhook", timeout: .seconds(20), diagnostics: recentAudit) { try await store.subscriptions(connectionID: asanaConnection.id).count == 2 }
                    try await idle()
                    let task = try await asana.createTask(TaskDraft(name: "Homepage design", projects: [project.gid],
                                                                    customFields: [amount.gid: .number(Decimal(string: "1250.50")!), expenseField.gid: .number(Decimal(string: "54.00")!)]),
                                                          key: "t1", keyField: nil, previousAttemptUncertain: false)
                    _ = try await asana.completeTask(gid: task.gid)
                    try await eventually("the draft invoice", timeout: .seconds(20), diagnostics: recentAudit) { try await fb.client.invoices().collect().count == 1 }
                    try await idle()
                    let invoice = try await fb.client.invoice(id: try #require(try await fb.client.invoices().collect().first).id)
                    let clientID = try await fb.client.clients().collect().first?.id
                    #expect(invoice.isDraft && invoice.invoiceNumber.hasPrefix("AGY-\(fbProject.id)-") && invoice.customerID == clientID)
                    #expect(invoice.lines?.map { Money.string($0.unitCost.amount) } == ["1250.5"] && invoice.amount.map { Money.string($0.amount) } == "1250.5")
                    #expect(try await fb.client.project(id: fbProject.id).description == "Progress: 1 of 1 tasks done (100%)")

                    // The expense is billed back to the client and project.
                    let expenses = try await fb.client.expenses().collect()
                    #expect(expenses.count == 1 && expenses.first?.clientID == clientID && expenses.first?.projectID == fbProject.id && expenses.first?.amount.amount == 54)

                    // An edit while the invoice is a draft updates its line.
                    _ = try await asana.updateTask(gid: task.gid, TaskDraft(customFields: [amount.gid: .number(Decimal(string: "1300.00")!)]))
                    try await eventually("the updated line", timeout: .seconds(20), diagnostics: recentAudit) { try await fb.client.invoice(id: invoice.id).lines?.first?.unitCost.amount == 1300 }
                    try await idle()
                    #expect(try await fb.client.invoice(id: invoice.id).lines?.count == 1)

                    // A second task joins the draft, and leaves it again when reopened.
                    let extra = try await asana.createTask(TaskDraft(name: "Extra revisions", projects: [project.gid], customFields: [amount.gid: .number(Decimal(string: "99.90")!)]),
                                                           key: "t2", keyField: nil, previousAttemptUncertain: false)
                    _ = try await asana.completeTask(gid: extra.gid)
                    try await eventually("the second line", timeout: .seconds(20), diagnostics: recentAudit) { try await fb.client.invoice(id: invoice.id).lines?.count == 2 }
                    _ = try await asana.updateTask(gid: extra.gid, TaskDraft(completed: false))
                    try await eventually("the second line withdrawn", timeout: .seconds(20), diagnostics: recentAudit) { try await fb.client.invoice(id: invoice.id).lines?.count == 1 }
                    try await idle()
                    #expect(try await fb.client.invoice(id: invoice.id).lines?.first?.name == "Homepage design")

                    // 3. The client pays; the status comes back to the task.
                    _ = try await fb.client.markInvoiceSent(id: invoice.id)
                    // Once sent, an edit is reported on the task, not applied.
                    _ = try await asana.updateTask(gid: task.gid, TaskDraft(customFields: [amount.gid: .number(Decimal(string: "999.00")!)]))
                    try await eventually("the report on the task", timeout: .seconds(20), diagnostics: recentAudit) {
                        try await asana.stories(task: task.gid).collect().contains { $0.text?.contains("not applied") == true }
                    }
                    #expect(try await fb.client.invoice(id: invoice.id).lines?.first?.unitCost.amount == 1300)
                    fb.sandbox.recordPayment(invoiceID: invoice.id, amount: "1300.00")
                    try await eventually("paid on the Asana task", timeout: .seconds(20), diagnostics: recentAudit) { try await asana.task(gid: task.gid).value(of: status.gid)?.enum_value?.gid == status.options["paid"] }
                    try await idle()

                    // 4. Every job run again changes nothing: no duplicate client, project, invoice or line.
                    for job in try await store.jobs(state: .succeeded, integrationID: applied.integration, limit: 500) {
                        _ = try await store.replay(id: job.id, now: Date())
                    }
                    pool.nudge()
                    try await idle()
                    #expect(try await fb.client.clients().collect().count == 1)
                    #expect(try await fb.client.projects().collect().count == 1)
                    #expect(try await fb.client.invoices().collect().count == 1)
                    #expect(try await fb.client.invoice(id: invoice.id).lines?.count == 1)
                    #expect(try await fb.client.expenses().collect().count == 1)
                    #expect(try await asana.tasks(project: project.gid).collect().count == 2)
                    #expect(try await store.deadLetters(tenant: nil, includeReplayed: true, limit: 10).isEmpty)
                }
            }
        }
    }
}
