import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// A task's aggregate (the task, its link to its vendor, its bill) is written by its posting job
/// alone, and a create left uncertain is found where the earlier attempt made it.
@Suite struct QuickBooksAsanaAggregateTests {
    static let dropped = QuickBooksAsanaEndToEndTests.faults(.dropped)

    /// Asana refuses every write to `task` until the faults are set again.
    static func refuseWrites(to task: AsanaTask, in world: ServicesWorld) {
        var plan = dropped
        plan.failWritesOn = "/tasks/\(task.gid)"
        world.asanaSandbox.setFaults(plan)
    }

    /// Points the task's vendor field at the option named `vendor`.
    static func choose(_ vendor: String, on task: AsanaTask, in world: ServicesWorld) async throws {
        let option = try #require(try await world.optionsOf("vendor").first { $0.name == vendor }?.gid)
        _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [try #require(world.fields["vendor"]): .enumOption(option)]))
    }

    /// A vendor's new email reaches its task through the task's posting job: the vendor's own
    /// job writes nothing to the task (with the task's writes refused it still succeeds), and a
    /// task that then names another vendor ends with that vendor's details and one link, to it.
    @Test func aVendorsChangeReachesItsTasksThroughTheirPostingJobs() async throws {
        try await ServicesWorld.with(database: .sqlite, faults: Self.dropped) { world in
            try await world.apply()
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }
            let task = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400)
            let email = try #require(world.fields["vendor_email"])
            try await world.pollUntil("Pacific's email on the task") { try await world.asana.task(gid: task.gid).value(of: email)?.text_value == "billing@pacific-office.test" }
            try await world.idle()

            Self.refuseWrites(to: task, in: world)
            let pacific = try #require(try await world.qbo.vendors().collect().first { $0.DisplayName == "Pacific Office Space" })
            struct Email: Encodable, Sendable { var PrimaryEmailAddr: EmailAddress }
            _ = try await world.qbo.update(.vendor, id: pacific.Id, change: Email(PrimaryEmailAddr: EmailAddress(Address: "ap@pacific-office.test")), requestID: "email", as: Vendor.self)
            try await world.pollUntil("the task's posting refused") { try await !world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).isEmpty }
            try await world.idle()
            let letters = try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10)
            #expect(letters.allSatisfy { $0.kind == QuickBooksAsanaPostingJob.kind }, "only the task's posting job writes the task: \(letters.map(\.kind))")

            world.asanaSandbox.setFaults(Self.dropped)
            for letter in letters { _ = try await world.store.replay(id: letter.id, now: Date()) }
            try await world.pollUntil("the new email on the task") { try await world.asana.task(gid: task.gid).value(of: email)?.text_value == "ap@pacific-office.test" }

            try await Self.choose("Jordan Freelance", on: task, in: world)
            let jordan = try #require(try await world.qbo.vendors().collect().first { $0.DisplayName == "Jordan Freelance" })
            try await world.pollUntil("Jordan on the bill, and no email on the task") {
                let bill = try await world.bill(of: task)
                let shown = try await world.asana.task(gid: task.gid).value(of: email)?.text_value ?? ""
                return bill.VendorRef.value == jordan.Id && shown.isEmpty
            }
            try await world.idle()
            let vendorLinks = try await world.store.links(integrationID: ServicesWorld.name, source: .asana(.task, task.gid)).filter { $0.target.type == QuickBooksRecord.vendor.rawValue }
            #expect(vendorLinks.map(\.target) == [.quickbooks(.vendor, jordan.Id)])
        }
    }

    /// The bill is made but the job dies before it completes (Asana refuses the task's write),
    /// and before the next attempt the task names another vendor. QuickBooks has forgotten the
    /// `requestid` by then, so only the look-up by our document number (QuickBooks refuses a
    /// repeated number per vendor only) stands between the next attempt and a second bill: it
    /// finds the first, and moves it to the new vendor.
    @Test func anUncertainBillIsFoundByItsNumberAfterTheVendorChanged() async throws {
        var quickbooks = QuickBooksSandbox.Configuration()
        quickbooks.rememberedRequestIDs = 1
        try await ServicesWorld.with(database: .sqlite, faults: Self.dropped, quickbooks: quickbooks) { world in
            try await world.apply()
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }
            let task = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400)
            Self.refuseWrites(to: task, in: world)
            try await world.pollUntil("the bill made and the task's write refused") {
                let letters = try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10)
                return try await world.ourBills().count == 1 && !letters.isEmpty
            }
            try await world.idle()

            // A later write pushes our create's requestid out of QuickBooks' memory (one answer long here).
            _ = try await world.qbo.create(.class, ["Name": "Strategy"], requestID: "class-strategy", as: QuickBooksClass.self)
            world.asanaSandbox.setFaults(Self.dropped)
            try await Self.choose("Jordan Freelance", on: task, in: world)
            let jordan = try #require(try await world.qbo.vendors().collect().first { $0.DisplayName == "Jordan Freelance" })
            let post = try #require(world.fields["post_status"])
            try await world.pollUntil("every bill on Jordan, and 'posted' on the task") {
                let bills = try await world.ourBills()
                let status = try await world.asana.task(gid: task.gid).value(of: post)?.enum_value?.gid
                return !bills.isEmpty && bills.allSatisfy { $0.VendorRef.value == jordan.Id } && status == world.options["posted"]
            }
            try await world.idle()
            #expect(try await world.ourBills().count == 1)
        }
    }
}
