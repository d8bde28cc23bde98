import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store
import TestSupport
import Testing

/// Issue 9 through the FreshBooks ↔ Asana flow: each test is named after the gap it closes and
/// fails on the code before the fix.
@Suite struct ExactlyOnceFlowTests {
    /// Gap 1, the replay scenario: the expense, client and project are made, the invoice
    /// create is refused (422) until the operator fixes the cause, the job is a dead letter; the
    /// replay starts a new job at attempt 1 and must still make nothing twice.
    @Test(arguments: TestDatabase.available)
    func gap1_aReplayAfterARefusedInvoiceMakesOneExpenseClientProjectAndInvoice(_ database: TestDatabase) async throws {
        try await AgencyWorld.with(database: database) { world in
            try await world.apply(name: "replayed")
            var plan = FaultPlan()
            plan.dropWebhooks = true
            plan.failWritesOn = "/invoices/invoices"
            world.fb.sandbox.setFaults(plan)
            let project = try await world.project("Acme: Launch")
            try await world.completedTask("Design", in: project.gid, amount: "500.00", expense: "42.00")
            try await world.pollUntil("replayed", "a dead letter") { !(try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).isEmpty) }
            #expect(try await world.counts() == [1, 1, 0, 1])

            plan.failWritesOn = nil
            world.fb.sandbox.setFaults(plan)
            for letter in try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 50) {
                _ = try await world.store.replay(id: letter.id, now: Date())
            }
            try await world.pollUntil("replayed", "the invoice") { try await world.counts()[2] == 1 }
            // Replaying again (as an impatient operator would) changes nothing either.
            for letter in try await world.store.deadLetters(tenant: nil, includeReplayed: true, limit: 50) {
                _ = try await world.store.replay(id: letter.jobID, now: Date())
            }
            try await world.pollUntil("replayed", "an idle queue") { try await world.store.jobCounts()[.running, default: 0] == 0 }
            let counts = try await world.counts()
            #expect(counts == [1, 1, 1, 1], "clients, projects, invoices, expenses: \(counts)")
        }
    }

    /// Gap 2: the Asana project's own change and its tasks' changes write the FreshBooks
    /// client, project and invoices under one serialization key.
    @Test func gap2_everyWriteForOneProjectRunsUnderItsOneSerializationKey() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "serial")
            let project = try await world.project("Globex: Brand")
            try await world.completedTask("Logo", in: project.gid, amount: "300.00")
            try await world.pollUntil("serial", "the invoice") { try await world.counts()[2] == 1 }
            let key = FreshBooksAsanaBillingJob.serializationKey(integrationID: "serial", projectGID: project.gid)
            let writers = try await world.store.auditEntries(AuditFilter(integrationID: "serial", limit: 500)).filter { entry in
                entry.exchanges.contains { $0.system == "freshbooks" && $0.method != "GET" }
            }
            #expect(!writers.isEmpty)
            for entry in writers {
                let jobID = try #require(entry.jobID)
                let job = try #require(try await world.store.job(id: jobID))
                #expect(job.coalesceKey == key, "\(job.kind) wrote to FreshBooks under \(job.coalesceKey ?? "no key")")
            }
        }
    }

    /// Gap 7: changes made while an integration is paused wait in the queue and all arrive on resume.
    @Test func gap7_pauseTenChangesResumeAndAllTenArrive() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "paused")
            let project = try await world.project("Initech: App")
            try await world.pollUntil("paused", "the FreshBooks project") { try await world.counts()[1] == 1 }
            try await world.store.setIntegrationState(id: "paused", state: .paused)
            for index in 0..<10 { try await world.completedTask("Change \(index)", in: project.gid, amount: "\(index + 1)0.00") }
            // The polls run (they serve the connection), and their jobs are held.
            for _ in 0..<6 {
                try await IntegrationRegistry().runNow(try #require(try await world.store.integration(id: "paused")), context: world.context)
                world.engine.pool.nudge()
                try await _Concurrency.Task.sleep(for: .milliseconds(250))
            }
            #expect(try await world.counts()[2] == 0)
            #expect(try await world.store.jobs(state: .pending, integrationID: "paused", limit: 100).count >= 1)

            try await world.store.setIntegrationState(id: "paused", state: .active)
            try await world.pollUntil("paused", "all ten lines") {
                try await world.fb.client.invoices(lines: true).collect().reduce(0) { $0 + ($1.lines?.count ?? 0) } == 10
            }
            #expect(try await world.counts()[2] == 1)
        }
    }

    /// Every FreshBooks create of one reconciliation (client, project, expense, invoice) is
    /// made and its answer lost, one after the other: each retry finds what the last attempt
    /// made (by organization, title, the task's marker, our invoice number) and makes nothing twice.
    @Test func everyCreateWhoseAnswerIsLostIsMadeOnce() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "lossy")
            var plan = FaultPlan()
            plan.dropWebhooks = true
            plan.loseNextCreateResponses = 4
            world.fb.sandbox.setFaults(plan)
            let project = try await world.project("Stark: Armor")
            try await world.completedTask("Fitting", in: project.gid, amount: "800.00", expense: "75.00")
            try await world.pollUntil("lossy", "the invoice") { try await world.counts()[2] == 1 }
            try await world.pollUntil("lossy", "an idle queue") { try await world.store.jobCounts()[.running, default: 0] == 0 }
            #expect(world.fb.sandbox.faults.loseNextCreateResponses == 0, "every create's answer was lost once")
            let counts = try await world.counts()
            #expect(counts == [1, 1, 1, 1], "clients, projects, invoices, expenses: \(counts)")
        }
    }

    /// Gap 8: a comment whose response was lost is not posted again by the retry.
    @Test func gap8_aRetryDoesNotPostItsCommentTwice() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "commented")
            let project = try await world.project("Umbrella: Site")
            let task = try await world.completedTask("Landing", in: project.gid, amount: "640.40")
            try await world.pollUntil("commented", "the invoice") { try await world.counts()[2] == 1 }
            let invoice = try #require(try await world.fb.client.invoices().collect().first)
            _ = try await world.fb.client.markInvoiceSent(id: invoice.id)
            // Asana applies the comment but the answer is lost: the attempt fails and is retried.
            var plan = FaultPlan()
            plan.dropWebhooks = true
            plan.loseNextCreateResponses = 1
            world.asanaSandbox.setFaults(plan)
            _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [world.amount: .number(Decimal(string: "700.00")!)]))
            try await world.pollUntil("commented", "the report on the task") {
                try await world.asana.stories(task: task.gid).collect().contains { $0.text?.contains("not applied") == true }
            }
            try await world.pollUntil("commented", "an idle queue", seconds: 10) {
                let due = try await world.store.jobs(state: .pending, integrationID: "commented", limit: 100).filter { $0.runAt <= Date() }
                let running = try await world.store.jobCounts()[.running, default: 0]
                return due.isEmpty && running == 0
            }
            try await _Concurrency.Task.sleep(for: .milliseconds(500))
            let reports = try await world.asana.stories(task: task.gid).collect().filter { $0.text?.contains("not applied") == true }
            #expect(reports.count == 1)
        }
    }

    /// Gap 8: after marking the invoice sent failed, the retry marks it sent.
    @Test func gap8_aFailedMarkSentIsMarkedByTheRetry() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "marked", group: "per-task", markSent: true)
            var plan = FaultPlan()
            plan.dropWebhooks = true
            // Creates pass; every update of an invoice (mark as sent) fails until cleared.
            plan.failWritesOn = "/invoices/invoices/"
            plan.failWritesStatus = 503
            world.fb.sandbox.setFaults(plan)
            let project = try await world.project("Hooli: Pipes")
            try await world.completedTask("Compression", in: project.gid, amount: "999.00")
            try await world.pollUntil("marked", "the draft invoice and a failed attempt") {
                let retried = try await world.store.auditEntries(AuditFilter(integrationID: "marked", limit: 100)).contains { $0.outcome == .retrying }
                return try await world.counts()[2] == 1 && retried
            }
            // The attempt died after FreshBooks made the invoice: its intent is still open, so
            // each retry searches our number before it would create one.
            let made = try #require(try await world.fb.client.invoices().collect().first)
            let key = "freshbooks-invoice:\(made.invoiceNumber)"
            #expect(try await world.store.intent(integrationID: "marked", key: key)?.state == .open)
            plan.failWritesOn = nil
            world.fb.sandbox.setFaults(plan)
            try await world.pollUntil("marked", "the invoice marked sent and its intent confirmed") {
                let confirmed = try await world.store.intent(integrationID: "marked", key: key).map { $0.state == .done } ?? false
                return try await world.fb.client.invoices().collect().first.map { !$0.isDraft } == true && confirmed
            }
            #expect(try await world.counts()[2] == 1)
            #expect(try await world.store.intent(integrationID: "marked", key: key)?.targetRef == ExternalRef.freshbooks(.invoice, made.id).description)
        }
    }
}
