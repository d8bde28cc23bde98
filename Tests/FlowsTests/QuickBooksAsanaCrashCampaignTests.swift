import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// Issue 9's crash campaign on the QuickBooks ↔ Asana flow: `ml-connector serve` killed with
/// SIGKILL at random points while 20 bill tasks post and five of them change, then started
/// again; afterwards QuickBooks holds each bill once, with its last amount.
@Suite struct QuickBooksAsanaCrashCampaignTests {
    static let tasks = 20

    @Test(arguments: TestDatabase.available)
    func killedServersPostEveryBillOnceWithItsLastAmount(_ database: TestDatabase) async throws {
        try await ServicesWorld.with(database: database, faults: QuickBooksAsanaEndToEndTests.faults(.dropped), engine: false) { world in
            try await world.apply()
            let vendors = ["Pacific Office Space", "Jordan Freelance"]
            let amount = try #require(world.fields["amount"])
            let trials = ServeCampaign.trials(fallback: 20)
            var tasks: [AsanaTask] = []
            try await ServeCampaign.run(world.test, database: database, trials: trials, prepare: {
                // The options come first, made by one of the killed servers like everything else.
                try await world.pollUntil("the vendor options", seconds: 60) { try await world.optionsOf("vendor").count == vendors.count }
                for index in 0..<Self.tasks {
                    tasks.append(try await world.task("Cost \(index)", project: index % 2, vendor: vendors[index % 2], amount: Decimal(100 + index)))
                }
            }, during: { trial in
                if trial % 4 == 0 {
                    try await IntegrationRegistry().runNow(try #require(try await world.store.integration(id: ServicesWorld.name)), context: world.context)
                }
                if trial == trials / 2 {
                    // Five costs change while servers die: each must end as one sparse update, not a second bill.
                    for (index, task) in tasks.prefix(5).enumerated() { _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [amount: .number(Decimal(500 + index))])) }
                }
            }) {
                var last = ""
                defer { print("campaign end state: \(last)") }
                do {
                    try await world.pollUntil("every bill with its last amount", seconds: 120) {
                        for letter in try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 500) { _ = try await world.store.replay(id: letter.id, now: Date()) }
                        let bills = try await world.ourBills()
                        let changed = bills.filter { ($0.TotalAmt ?? 0) >= 500 }.count
                        last = "\(bills.count) bills, \(changed) changed, totals \(bills.compactMap(\.TotalAmt).sorted())"
                        return bills.count >= Self.tasks && changed == 5
                    }
                } catch {
                    print(try await Self.whereTheWorkIs(tasks, world: world))
                    throw error
                }
            }
            let bills = try await world.ourBills()
            #expect(bills.count == Self.tasks && Set(bills.compactMap(\.DocNumber)).count == Self.tasks)
            let expected: [Decimal] = (0..<Self.tasks).map { index -> Decimal in Decimal(index < 5 ? 500 + index : 100 + index) }
            let totals: [Decimal] = bills.compactMap(\.TotalAmt)
            #expect(Set(totals) == Set(expected))
            let options = try await world.optionsOf("vendor")
            #expect(options.count == vendors.count && Set(options.map(\.name)) == Set(vendors))
        }
    }

    /// For every task whose bill is missing or behind its amount: the task as Asana has it, its
    /// jobs, links, intents, dead letters and audit trail. Printed when the campaign times out.
    static func whereTheWorkIs(_ tasks: [AsanaTask], world: ServicesWorld) async throws -> String {
        let bills = try await world.ourBills()
        let amount = try #require(world.fields["amount"])
        var report = ["campaign timed out; the tasks whose bill is missing or behind:"]
        for task in tasks {
            let current = try await world.asana.task(gid: task.gid)
            let wanted = current.value(of: amount)?.number_value
            let bill = bills.first { $0.PrivateNote?.contains(task.gid) == true }
            guard bill == nil || bill?.TotalAmt != wanted else { continue }
            report.append("task \(task.name) \(task.gid): amount \(wanted.map { "\($0)" } ?? "none"), bill \(bill.map { "\($0.Id ?? "?") of \($0.TotalAmt ?? 0)" } ?? "none")")
            report.append(try await world.store.rowsMentioning(task.gid))
            let ref = ExternalRef.asana(.task, task.gid).description
            for entry in try await world.store.auditEntries(AuditFilter(ref: ref, limit: 50)).reversed() {
                report.append("  audit: \(entry.at) job \(entry.jobID ?? "-") attempt \(entry.attempt) \(entry.action) \(entry.outcome) \(entry.error ?? "")")
            }
        }
        return report.joined(separator: "\n")
    }
}
