import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Logging
import Sandbox
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// With every webhook lost, the polls alone converge; a permanent failure waits in dead
/// letters and `replay` finishes the work once the cause is gone.
@Suite struct FreshBooksAsanaPollTests {
    @Test func lostWebhooksStillConvergeThroughThePollAndADeadLetterReplays() async throws {
        try await FreshBooksFixture.with { fb in
            try await withSandbox(try await AsanaSandbox.serve()) { asanaSandbox, asanaServer in
                let store = fb.store
                let asanaConnection = try await asanaSandbox.addPATConnection(id: "asana-poll", server: asanaServer, to: store)
                let asana = AsanaClient(pipeline: fb.pipeline, connection: asanaConnection)
                var drop = FaultPlan()
                drop.dropWebhooks = true
                fb.sandbox.setFaults(drop)
                asanaSandbox.setFaults(drop)

                let amount = asanaSandbox.createCustomField(name: "Amount", subtype: "number", precision: 2)
                let status = asanaSandbox.createCustomField(name: "Status", subtype: "enum", options: FreshBooksAsanaConfig.statuses)
                let yaml = """
                name: polled
                kind: freshbooks-asana
                connections: { freshbooks: \(fb.connection.id), asana: \(asanaConnection.id) }
                schedule: { poll: 30s }
                asana:
                  workspace: "\(asanaSandbox.workspaceGID)"
                  team: "\(asanaSandbox.teamGID)"
                  fields:
                    billable_amount: "\(amount.gid)"
                    billing_status: { field: "\(status.gid)", options: { \(FreshBooksAsanaConfig.statuses.map { "\($0): \"\(status.options[$0]!)\"" }.joined(separator: ", ")) } }
                freshbooks:
                  invoice: { group: per-task, number_prefix: "P-", currency: USD }
                """
                _ = try await IntegrationRegistry().apply(yaml: yaml, context: IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil)))

                try await withLiveEngine(store: store, pipeline: fb.pipeline, extra: IntegrationRegistry().handlers(pipeline: fb.pipeline),
                                         retry: RetrySchedule(base: .milliseconds(100), cap: .milliseconds(300))) { engine in
                    let pool = engine.pool
                    /// Polls every feed now, until `condition` holds.
                    func pollUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
                        try await eventually(what, timeout: .seconds(20), interval: .milliseconds(150)) {
                            if try await condition() { return true }
                            try await IntegrationRegistry().runNow(try #require(try await store.integration(id: "polled")), context: IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil)))
                            pool.nudge()
                            return false
                        }
                    }

                    let project = try await asana.createProject(ProjectDraft(name: "Umbrella: Vaccine site", team: asanaSandbox.teamGID))
                    for field in [amount.gid, status.gid] { asanaSandbox.attach(field: field, to: project.gid) }
                    let task = try await asana.createTask(TaskDraft(name: "Landing page", projects: [project.gid], customFields: [amount.gid: .number(Decimal(string: "640.40")!)]),
                                                          key: "p1", keyField: nil, previousAttemptUncertain: false)
                    _ = try await asana.completeTask(gid: task.gid)

                    // FreshBooks refuses the first call the integration makes: a permanent error, so a dead letter.
                    var refuse = drop
                    refuse.failNext = 1
                    refuse.failStatus = 422
                    fb.sandbox.setFaults(refuse)
                    try await pollUntil("a dead letter") { !(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).isEmpty) }
                    let letters = try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10)
                    #expect(letters.allSatisfy { $0.errorKind == "validation" })
                    // The cause is gone (the fault was spent); replay finishes the work.
                    for letter in letters { _ = try await store.replay(id: letter.id, now: Date()) }
                    pool.nudge()
                    try await pollUntil("the invoice") { fb.sandbox.records()["invoices"]?.array?.count == 1 }
                    let invoice = try #require(try await fb.client.invoices(lines: true).collect().first)
                    #expect(invoice.lines?.map { Money.string($0.unitCost.amount) } == ["640.4"])

                    // A payment, found by the FreshBooks poll, reaches the Asana task.
                    _ = try await fb.client.markInvoiceSent(id: invoice.id)
                    fb.sandbox.recordPayment(invoiceID: invoice.id, amount: "640.40")
                    try await pollUntil("paid on the task") { try await asana.task(gid: task.gid).value(of: status.gid)?.enum_value?.gid == status.options["paid"] }
                    let invoices = try await fb.client.invoices().collect()
                    #expect(invoices.count == 1)
                    #expect(try await store.jobs(state: nil, integrationID: "polled", limit: 500).allSatisfy { $0.source != .webhook })
                }
            }
        }
    }
}
