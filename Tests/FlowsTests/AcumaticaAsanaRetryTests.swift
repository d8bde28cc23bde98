import Acumatica
import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import Logging
import Sandbox
import Store
import TestSupport
import Testing

/// A document job retried after an attempt that died (its outcome never completed): the retry
/// finds what the earlier attempt made or did, wherever it went, and reports it once.
@Suite struct AcumaticaAsanaRetryTests {
    /// Attempts run by hand: each claims its own job, so an earlier attempt's intents are
    /// uncertain to a later one; only a completed attempt's writes are applied.
    struct Attempts {
        let world: SiteWorld
        let integrationID: String

        struct Payload: Encodable { var document: ExternalRef }

        func run(_ document: ExternalRef, complete: Bool) async throws -> JobOutcome {
            let store = world.store
            try await store.enqueue(JobRequest(kind: AcumaticaAsanaDocumentJob.kind, integrationID: integrationID, connectionID: world.acuConnection.id, payload: Payload(document: document)))
            let claim = try #require(try await store.claimJobs(worker: "test", kinds: [AcumaticaAsanaDocumentJob.kind], limit: 1, lease: .seconds(600), now: Date()).first)
            let context = JobContext(store: store, attempt: 1, now: Date(), logger: Logger(label: "acumatica-asana-retry"), claim: claim)
            let outcome = try await AcumaticaAsanaDocumentJob(pipeline: world.pipeline).run(claim.job, context: context)
            if complete { try await store.apply(outcome.writes) }
            return outcome
        }
    }

    /// A site with the integration applied and one balanced bill routed by its branch, its
    /// vendor option made; `body` gets the bill's number and ref.
    private func site(actionPolls: Int = 1, _ body: (SiteWorld, Attempts, String, ExternalRef) async throws -> Void) async throws {
        var acumatica = AcumaticaSandbox.Configuration()
        acumatica.actionPolls = actionPolls
        acumatica.apiUserLimit = 100
        try await TestDatabase.sqlite.withStore { store in
            try await withSandbox(try await AcumaticaSandbox.serve(configuration: acumatica)) { acuSandbox, acuServer in
                try await withSandbox(try await AsanaSandbox.serve()) { asanaSandbox, asanaServer in
                    let world = try await SiteWorld.prepare(store: store, acumatica: (acuSandbox, acuServer), asana: (asanaSandbox, asanaServer))
                    let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: world.pipeline, publicURL: nil))
                    let applied = try await IntegrationRegistry().apply(yaml: world.yaml(roster: "report"), context: context)
                    _ = try await world.asana.createEnumOption(field: world.fields["vendor"]!, name: "Printico Ltd")
                    var line = BillDetail()
                    line.TransactionDescription = StringValue("Formwork")
                    line.Qty = DecimalValue(1)
                    line.UnitCost = DecimalValue(Decimal(string: "4800.00"))
                    line.Branch = StringValue("HEADOFFICE")
                    let bill = try await world.erp { try await $0.createBill(BillDraft(vendor: "PRINTICO", vendorRef: "PR-9001", lines: [line])) }
                    let number = try #require(bill.ReferenceNbr?.value)
                    try await body(world, Attempts(world: world, integrationID: applied.integration), number, .acumatica(.bill, "Bill/\(number)"))
                }
            }
        }
    }

    private func comments(_ world: SiteWorld, _ task: AsanaTask) async throws -> [String] {
        try await world.asana.stories(task: task.gid).collect().compactMap(\.text)
    }

    private func approve(_ world: SiteWorld, _ task: AsanaTask) async throws {
        _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [world.fields["approval"]!: .enumOption(world.fields["approved"]!)]))
    }

    @Test func aTaskMadeBeforeTheDocumentWasRoutedElsewhereIsFoundNotMadeAgain() async throws {
        try await site { world, attempts, number, ref in
            // The first attempt makes the task in the head office's project, then dies.
            _ = try await attempts.run(ref, complete: false)
            #expect(try await world.tasks().count == 1)
            // The bill moves to another branch: it now routes to the default project.
            try await world.changeBill(number) { $0.BranchID = StringValue("SITE2") }
            let outcome = try await attempts.run(ref, complete: true)
            let tasks = try await world.tasks()
            #expect(tasks.count == 1, "a second task: \(tasks.map(\.name)); \(outcome.action ?? "")")
            #expect(outcome.targetRef == ExternalRef.asana(.task, try #require(tasks.first).gid).description)
        }
    }

    @Test func aReleaseThatLandedIsReportedAfterTheTaskWasEdited() async throws {
        try await site { world, attempts, number, ref in
            _ = try await attempts.run(ref, complete: true)
            let task = try #require(try await world.task(number))
            try await approve(world, task)
            // The attempt that releases the bill dies before it can comment.
            var noComments = FaultPlan()
            noComments.failWritesOn = "/stories"
            world.asanaSandbox.setFaults(noComments)
            await #expect(throws: (any Error).self) { _ = try await attempts.run(ref, complete: false) }
            #expect(try await world.erp { try await $0.bill(referenceNbr: number) }.Status?.value == "Open")
            world.asanaSandbox.setFaults(FaultPlan())
            // Someone edits the task before the retry (its modified_at moves).
            _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(notes: "Checked on site."))
            _ = try await attempts.run(ref, complete: true)
            let said = try await comments(world, task)
            #expect(said.filter { $0.hasPrefix("Released in Acumatica") }.count == 1, "comments: \(said)")
        }
    }

    @Test func aRetryWhileTheEarlierReleaseStillRunsIsNoRefusal() async throws {
        // The earlier attempt's release runs for a few seconds (its Location answers 202).
        try await site(actionPolls: 4) { world, attempts, number, ref in
            // Two seats: the retry does not wait for the earlier attempt's (in production it is dead, its seat timed out).
            var connection = world.acuConnection
            connection[setting: .acumaticaSessions] = "2"
            try await world.store.updateConnection(connection)
            _ = try await attempts.run(ref, complete: true)
            let task = try #require(try await world.task(number))
            try await approve(world, task)
            // The earlier attempt: ReleaseBill answered 202 and it waits; its outcome is never completed.
            let earlier = Task { try await attempts.run(ref, complete: false) }
            try await eventually("the earlier attempt's ReleaseBill", timeout: .seconds(20)) {
                world.acuSandbox.requestCounts.contains { $0.key.hasSuffix("/Bill/ReleaseBill") }
            }
            // Acumatica refuses a second release of the document while the first runs.
            var busy = FaultPlan()
            busy.failWritesOn = "/Bill/ReleaseBill"
            world.acuSandbox.setFaults(busy)
            let outcome = try await attempts.run(ref, complete: true)
            _ = try? await earlier.value
            let said = try await comments(world, task)
            #expect(!said.contains { $0.contains("failed in Acumatica") }, "comments: \(said); \(outcome.action ?? "")")
            let now = try await world.asana.task(gid: task.gid)
            #expect(world.status(now) == "Open" && now.value(of: world.fields["approval"]!)?.enum_value?.gid == world.fields["approved"])
        }
    }
}
