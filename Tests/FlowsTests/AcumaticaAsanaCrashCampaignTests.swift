import Acumatica
import Asana
import ConnectorKit
import Flows
import Foundation
import Sandbox
import Store
import TestSupport
import Testing

/// The crash campaign on the approval flow: `ml-connector serve` killed with SIGKILL at random
/// points while 20 bills become tasks and half of them are approved and released; afterwards
/// every document has one task, every approved bill was released once, and no option, task or
/// comment exists twice. `MLC_CRASH_TRIALS` sets the number of kills (10 by default).
@Suite struct AcumaticaAsanaCrashCampaignTests {
    static let bills = 20

    @Test(arguments: TestDatabase.available)
    func crashCampaign_approvalsReleaseOnceAndTasksExistOnce(_ database: TestDatabase) async throws {
        let trials = ServeCampaign.trials(fallback: 20)
        let test = try await database.makeStore()
        var acumatica = AcumaticaSandbox.Configuration()
        // Killed servers never sign out: their seats would stay taken until the idle timeout.
        acumatica.apiUserLimit = 10_000
        acumatica.actionPolls = 1
        do {
            try await withSandbox(try await AcumaticaSandbox.serve(configuration: acumatica)) { acuSandbox, acuServer in
                try await withSandbox(try await AsanaSandbox.serve()) { asanaSandbox, asanaServer in
                    let world = try await SiteWorld.prepare(store: test.store, acumatica: (acuSandbox, acuServer), asana: (asanaSandbox, asanaServer), rateLimit: "5000/1s")
                    try await campaign(world, test: test, database: database, trials: trials)
                }
            }
        } catch {
            await test.store.close()
            throw error
        }
        await test.store.close()
    }

    private func campaign(_ world: SiteWorld, test: TestStore, database: TestDatabase, trials: Int) async throws {
        let store = world.store
        let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: world.pipeline, publicURL: nil))
        // No push destination: the polls carry every change.
        var created: [String] = []
        for index in 0..<Self.bills {
            var line = BillDetail()
            line.TransactionDescription = StringValue("Work package \(index)")
            line.Qty = DecimalValue(1)
            line.UnitCost = DecimalValue(Decimal(1000 + index))
            line.Branch = StringValue("HEADOFFICE")
            let draft = BillDraft(vendor: ["ACMEPAPER", "PRINTICO", "TECHSERV"][index % 3], vendorRef: "SUB-\(index)", lines: [line])
            created.append(try #require(try await world.erp { try await $0.createBill(draft) }.ReferenceNbr?.value))
        }
        _ = try await IntegrationRegistry().apply(yaml: world.yaml(name: "site", roster: "report"), context: context)
        let approved = Array(created.prefix(Self.bills / 2))
        let documents = Self.bills + 4
        let started = ContinuousClock.now

        try await ServeCampaign.run(test, database: database, trials: trials) { trial in
            guard trial == trials / 2 else { return }
            // The site manager approves half the new bills while servers die.
            for task in try await world.tasks() where approved.contains(world.reference(task) ?? "") && !task.completed {
                _ = try await world.asana.completeTask(gid: task.gid)
            }
        } then: {
            let deadline = ContinuousClock.now + .seconds(120)
            while true {
                let tasks = try await world.tasks()
                let completed = Set(tasks.filter(\.completed).compactMap(world.reference))
                let released = tasks.filter { approved.contains(world.reference($0) ?? "") && world.status($0) == "Open" }.count
                if tasks.count >= documents && released == approved.count { break }
                guard ContinuousClock.now < deadline else { Issue.record("no convergence: \(tasks.count) tasks, \(released) released"); break }
                // Approvals given before their task existed are given now.
                for task in tasks where approved.contains(world.reference(task) ?? "") && !completed.contains(world.reference(task) ?? "") && world.status(task) == "Balanced" {
                    _ = try await world.asana.completeTask(gid: task.gid)
                }
                try await IntegrationRegistry().runNow(try #require(try await store.integration(id: "site")), context: context)
                for letter in try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 500) { _ = try await store.replay(id: letter.id, now: Date()) }
                try await _Concurrency.Task.sleep(for: .milliseconds(500))
            }
            print("acumatica-asana crash campaign on \(database): \(trials) kills, converged after \(ContinuousClock.now - started)")
        }

        let tasks = try await world.tasks()
        #expect(tasks.count == documents)
        #expect(try await world.duplicates() == [])
        let bills = try await world.erp { try await $0.bills().collect() }
        #expect(bills.filter { approved.contains($0.ReferenceNbr?.value ?? "") }.allSatisfy { $0.Status?.value == "Open" })
        for task in tasks where approved.contains(world.reference(task) ?? "") {
            let said = try await world.asana.stories(task: task.gid).collect().compactMap(\.text)
            #expect(said == ["Released in Acumatica: bill \(world.reference(task) ?? "") is now Open."], "\(task.name): \(said)")
        }
    }
}
