import Asana
import ConnectorKit
import Flows
import Foundation
import NIOConcurrencyHelpers
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// What a posting job writes back to its task (the bill's figures) never undoes an edit the task
/// got after the job read it.
@Suite struct QuickBooksAsanaWriteBackTests {
    /// A person types a new amount while the task's bill is being made: after the job read the
    /// task, before it wrote the bill's figures back (QuickBooks is answering the create). The
    /// task keeps the new amount and the bill is brought to it. Without the fix the job wrote
    /// the bill's first amount back over the edit; task and bill then agreed on the old amount and
    /// nothing posted the new one (the lost update of the PostgreSQL crash campaign).
    @Test func anAmountTypedWhileTheBillIsMadeStandsAndIsPosted() async throws {
        // The person's edit, made once, when QuickBooks receives the first bill write.
        let edit = NIOLockedValueBox<(@Sendable () async throws -> Void)?>(nil)
        let beforeQuickBooks: @Sendable (String, String) async -> Void = { method, path in
            guard method == "POST", path.hasSuffix("/bill"), let person = edit.withLockedValue({ armed in
                defer { armed = nil }
                return armed
            }) else { return }
            do { try await person() } catch { Issue.record("the person's edit failed: \(error)") }
        }
        try await ServicesWorld.with(database: .sqlite, faults: QuickBooksAsanaEndToEndTests.faults(.dropped), beforeQuickBooks: beforeQuickBooks) { world in
            try await world.apply()
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }
            let amount = try #require(world.fields["amount"]), post = try #require(world.fields["post_status"])
            let task = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400)
            let asana = world.asana
            // Armed before any poll has seen the task: its posting job is the first to write a bill.
            edit.withLockedValue { $0 = { _ = try await asana.updateTask(gid: task.gid, TaskDraft(customFields: [amount: .number(2600)])) } }

            try await world.pollUntil("the bill made and the task marked posted") {
                let status = try await world.asana.task(gid: task.gid).value(of: post)?.enum_value?.gid
                return try await world.ourBills().count == 1 && status == world.options["posted"]
            }
            try await world.idle()
            #expect(edit.withLockedValue { $0 == nil }, "the edit was made while the bill was being created")
            let shown = try await world.asana.task(gid: task.gid).value(of: amount)?.number_value
            try #require(shown == 2600, "the bill's first amount was written back over the person's edit")

            try await world.pollUntil("the bill at the new amount") { try await world.bill(of: task).TotalAmt == 2600 }
            try await world.idle()
            #expect(try await world.ourBills().count == 1)
            #expect(try await world.asana.task(gid: task.gid).value(of: amount)?.number_value == 2600)
        }
    }

    /// A posting job that carries a feed's snapshot of its task (a job retried after its lease ran
    /// out, say) meets a bill whose due date someone moved in QuickBooks, and a task whose due
    /// date a person has set since the snapshot. The job reads the task before writing to it,
    /// and the person's later date stands and is posted; from the snapshot it wrote QuickBooks'
    /// date over the person's.
    @Test func aSnapshotsPostingReadsTheTaskBeforeWritingToIt() async throws {
        try await ServicesWorld.with(database: .sqlite, faults: QuickBooksAsanaEndToEndTests.faults(.dropped)) { world in
            try await world.apply()
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }
            let due = try #require(world.fields["due_date"])
            let task = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400, due: "2026-12-15")
            try await world.pollUntil("the bill made") { try await world.ourBills().count == 1 }
            try await world.idle()

            let snapshot = ChangeEvent(eventID: "stale:\(task.gid)", ref: .asana(.task, task.gid), action: .updated, occurredAt: Date(), connectionID: world.asanaConnection.id,
                                       parent: .asana(.project, world.projects[0])).carrying(try await world.asana.task(gid: task.gid), readAt: Date())
            let bill = try await world.bill(of: task)
            struct Due: Encodable, Sendable { var DueDate: String }
            _ = try await world.qbo.update(.bill, id: try #require(bill.Id), change: Due(DueDate: "2026-12-20"), requestID: "due-moved", syncToken: bill.SyncToken, as: Bill.self)
            _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [due: .date("2026-12-31")]))

            struct Payload: Encodable { var task: String, event: ChangeEvent }
            let integration = try #require(try await world.store.integration(id: ServicesWorld.name))
            try await world.store.enqueue(try JobRequest(kind: QuickBooksAsanaPostingJob.kind, tenant: integration.tenant, integrationID: integration.id,
                                                         connectionID: world.asanaConnection.id,
                                                         coalesceKey: QuickBooksAsanaPostingJob.serializationKey(integrationID: integration.id, task: task.gid),
                                                         payload: Payload(task: task.gid, event: snapshot), source: .poll))
            world.engine?.pool.nudge()
            try await world.idle()
            let shown = try await world.asana.task(gid: task.gid).value(of: due)?.date_value?.date
            try #require(shown == "2026-12-31", "the bill's due date was written over the person's newer one")

            try await world.pollUntil("the bill due on the person's date") { try await world.bill(of: task).DueDate == "2026-12-31" }
            try await world.idle()
            #expect(try await world.ourBills().count == 1)
            #expect(try await world.asana.task(gid: task.gid).value(of: due)?.date_value?.date == "2026-12-31")
        }
    }
}
