import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// The services-firm case through `integration apply`, the real engine, store and both
/// sandboxes over HTTP: webhooks dropped (CDC and the task polls converge) or duplicated
/// (nothing is posted twice), then every job replayed with no duplicates.
@Suite struct QuickBooksAsanaEndToEndTests {
    enum Delivery: String, CaseIterable, Sendable { case dropped, duplicated }

    static let cases: [(TestDatabase, Delivery)] = TestDatabase.available.flatMap { database in Delivery.allCases.map { (database, $0) } }

    static func faults(_ delivery: Delivery) -> FaultPlan {
        var plan = FaultPlan()
        plan.dropWebhooks = delivery == .dropped
        plan.duplicateWebhooks = delivery == .duplicated
        return plan
    }

    @Test(arguments: cases)
    func vendorsBecomeOptionsBillsPostOnceAndFiguresComeBack(_ database: TestDatabase, _ delivery: Delivery) async throws {
        try await ServicesWorld.with(database: database, faults: Self.faults(delivery)) { world in
            let qbo = world.qbo
            for name in ["Northwind Staffing", "Summit IT Services"] {
                _ = try await qbo.createVendor(NameDraft(displayName: name, email: "ap@\(name.prefix(5).lowercased()).test"), requestID: "v-\(name)")
            }
            // The mapping is checked live: a class QuickBooks does not have is refused by name,
            // whether the configuration or the project's own class field names it.
            do {
                try await world.apply(secondClass: "Consulting")
                Issue.record("expected the unknown class refused")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "quickbooks.projects.\(world.projects[1]).class" && message.contains("\"Consulting\""))
            }
            let projectClass = try #require(world.fields["project_class"])
            let nameClass = { (name: String) in
                _ = try await world.asana.updateProject(gid: world.projects[1], ProjectDraft(customFields: [projectClass: .enumOption(try #require(world.options[name]))]))
            }
            try await nameClass("Consulting")
            do {
                try await world.apply()
                Issue.record("expected the project's unknown class refused")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "asana.fields.project_class" && message.contains("\"Consulting\"") && message.contains("Platform build"))
            }
            try await nameClass("Engineering")
            let applied = try await world.apply()
            #expect(applied.scheduled.contains { $0.hasPrefix("poll quickbooks vendor") } && applied.resolved.contains { $0.contains("class Design, department North Office") })
            #expect(applied.resolved.contains { $0.contains("\(world.projects[1]) names class Engineering") })

            // 1. Every active vendor is an option, and every class on the project class field
            // (Engineering's option, made by a person, is adopted; Consulting's is left alone).
            try await world.pollUntil("four vendor options and three class options") {
                let vendors = try await world.optionsOf("vendor").count
                let classes = try await world.optionsOf("project_class").map(\.name).sorted()
                return vendors == 4 && classes == ["Consulting", "Design", "Engineering"]
            }
            #expect(try await world.optionsOf("class").isEmpty, "a class is an option on the project's field only")
            try await world.pollUntil("the customers as options") { try await world.optionsOf("customer").map(\.name).sorted() == ["Acme Corp", "Globex"] }
            let northwind = try #require(try await qbo.vendors().collect().first { $0.DisplayName == "Northwind Staffing" })
            let summit = try #require(try await qbo.vendors().collect().first { $0.DisplayName == "Summit IT Services" })
            struct Rename: Encodable, Sendable { var DisplayName: String }
            struct Activity: Encodable, Sendable { var Active: Bool }
            _ = try await qbo.update(.vendor, id: northwind.Id, change: Rename(DisplayName: "Northwind Staffing Group"), requestID: "rename", as: Vendor.self)
            _ = try await qbo.update(.vendor, id: summit.Id, change: Activity(Active: false), requestID: "retire", as: Vendor.self)
            _ = try await qbo.create(.class, ["Name": "Strategy"], requestID: "class-strategy", as: QuickBooksClass.self)
            try await world.pollUntil("the rename, the disabled option and the new class") {
                let vendors = try await world.optionsOf("vendor")
                let classes = try await world.optionsOf("project_class")
                return vendors.contains { $0.name == "Northwind Staffing Group" } && vendors.first { $0.name == "Summit IT Services" }?.enabled == false
                    && vendors.count == 4 && classes.contains { $0.name == "Strategy" }
            }

            // 2. Bill tasks post bills on their project's class and department, once.
            let rent = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400)
            let build = try await world.task("Contract developers", project: 1, vendor: "Northwind Staffing Group", amount: Decimal(string: "8800.25")!)
            try await world.task("Unfinished cost", project: 1, vendor: "Jordan Freelance", amount: 12, due: nil)
            try await world.pollUntil("two bills") { try await world.ourBills().count == 2 }
            let rentBill = try await world.bill(of: rent)
            let buildBill = try await world.bill(of: build)
            let rentLine = try #require(rentBill.Line.first?.AccountBasedExpenseLineDetail)
            #expect(rentBill.VendorRef.name == "Pacific Office Space" && rentBill.DueDate == "2026-12-15" && rentBill.TotalAmt == 2400)
            let contractors = try await world.accountID("Contractors")
            let classes = Dictionary(try await qbo.classes().collect().map { ($0.Name ?? "", $0.Id) }, uniquingKeysWith: { first, _ in first })
            let departments = Dictionary(try await qbo.departments().collect().map { ($0.Name ?? "", $0.Id) }, uniquingKeysWith: { first, _ in first })
            #expect(rentLine.ClassRef?.value == classes["Design"] && rentBill.DepartmentRef?.value == departments["North Office"] && rentLine.AccountRef.value == contractors)
            #expect(buildBill.Line.first?.AccountBasedExpenseLineDetail?.ClassRef?.value == classes["Engineering"] && buildBill.DepartmentRef?.value == departments["South Office"])
            #expect(rentBill.PrivateNote == "Asana task https://app.asana.com/0/0/\(rent.gid)")
            try await world.pollUntil("the bill's figures and 'posted' on the task") {
                let task = try await world.asana.task(gid: rent.gid)
                let status = try #require(world.fields["bill_status"]), post = try #require(world.fields["post_status"]), email = try #require(world.fields["vendor_email"])
                return task.value(of: status)?.enum_value?.gid == world.options["open"] && task.value(of: post)?.enum_value?.gid == world.options["posted"]
                    && task.value(of: email)?.text_value == "billing@pacific-office.test"
            }

            // 3. A memo edited in QuickBooks survives our amount update (a sparse change of the line only).
            struct Memo: Encodable, Sendable { var PrivateNote: String }
            _ = try await qbo.update(.bill, id: try #require(rentBill.Id), change: Memo(PrivateNote: "Approved by Dana"), requestID: "memo", as: Bill.self)
            _ = try await world.asana.updateTask(gid: rent.gid, TaskDraft(customFields: [try #require(world.fields["amount"]): .number(2500)]))
            try await world.pollUntil("the new amount on the bill") { try await qbo.bill(id: try #require(rentBill.Id)).TotalAmt == 2500 }
            #expect(try await qbo.bill(id: try #require(rentBill.Id)).PrivateNote == "Approved by Dana")

            // 4. Paid in QuickBooks: "paid" on the task; a later edit is reported, not rewritten.
            let bank = try #require(try await qbo.accounts(type: "Bank").collect().first?.Id)
            _ = try await qbo.createBillPayment(BillPayment(vendor: buildBill.VendorRef.value, bill: try #require(buildBill.Id), amount: Decimal(string: "8800.25")!, bankAccount: bank), requestID: "pay")
            try await world.pollUntil("'paid' on the task") {
                let task = try await world.asana.task(gid: build.gid)
                let status = try #require(world.fields["bill_status"]), balance = try #require(world.fields["balance"])
                return task.value(of: status)?.enum_value?.gid == world.options["paid"] && task.value(of: balance)?.number_value == 0
            }
            _ = try await world.asana.updateTask(gid: build.gid, TaskDraft(customFields: [try #require(world.fields["amount"]): .number(9000)]))
            try await world.pollUntil("the report on the paid bill's task") {
                try await world.asana.stories(task: build.gid).collect().contains { $0.text?.hasPrefix("Change not applied") == true }
            }
            #expect(try await qbo.bill(id: try #require(buildBill.Id)).TotalAmt == Decimal(string: "8800.25"))

            // 5. `integration show`: the task missing a field, the class no project maps.
            try await world.idle()
            let record = try #require(try await world.store.integration(id: ServicesWorld.name))
            let details = await QuickBooksAsanaIntegration().details(for: record, context: world.context)
            #expect(details["tasks missing a required field"]?.contains("Unfinished cost") == true && details["tasks missing a required field"]?.contains("due date") == true)
            #expect(details["classes without a project"] == "Strategy" && details["vendors without an option"] == "none")

            // 6. Every job of the integration replayed: nothing is made or said twice.
            let before = try await Self.snapshot(world, tasks: [rent, build])
            for job in try await world.store.jobs(state: .succeeded, integrationID: ServicesWorld.name, limit: 10_000) where job.repeatEveryMs == nil {
                _ = try await world.store.replay(id: job.id, now: Date())
            }
            world.engine?.pool.nudge()
            try await world.idle()
            #expect(try await Self.snapshot(world, tasks: [rent, build]) == before)
            #expect(before.bills == 2 && before.options == 4 && before.comments == 1)
        }
    }

    /// A memo edited in QuickBooks between our read of the bill and our write: QuickBooks
    /// refuses our stale SyncToken (5010), the client reads the bill again and re-applies only
    /// our change, so the memo survives and the amount is ours.
    @Test func aMemoEditedDuringOurUpdateSurvivesTheStaleSyncToken() async throws {
        try await ServicesWorld.with(database: .sqlite, faults: Self.faults(.dropped)) { world in
            try await world.apply()
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }
            let task = try await world.task("Studio rent", project: 0, vendor: "Pacific Office Space", amount: 2400)
            try await world.pollUntil("the bill") { try await world.ourBills().count == 1 }
            try await world.idle()
            let bill = try await world.bill(of: task)
            let id = try #require(bill.Id)

            // Every QuickBooks answer takes 400 ms: our job's name queries hold its write back long after its read.
            var slow = Self.faults(.dropped)
            slow.slowMilliseconds = 400
            world.qboSandbox.setFaults(slow)
            let queryRoute = "GET /v3/company/\(world.qboSandbox.realmID)/query"
            let queries = world.qboSandbox.requestCounts[queryRoute] ?? 0
            let refused = world.qboSandbox.statusCounts[400] ?? 0
            _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [try #require(world.fields["amount"]): .number(2600)]))
            try await world.pollUntil("our job resolving the bill's names after reading it") { (world.qboSandbox.requestCounts[queryRoute] ?? 0) > queries }
            struct Memo: Encodable, Sendable { var PrivateNote: String }
            _ = try await world.qbo.update(.bill, id: id, change: Memo(PrivateNote: "Approved by Dana"), requestID: "memo", syncToken: bill.SyncToken, as: Bill.self)

            try await eventually("our amount on the bill", timeout: .seconds(20)) { try await world.qbo.bill(id: id).TotalAmt == 2600 }
            let updated = try await world.qbo.bill(id: id)
            #expect(updated.PrivateNote == "Approved by Dana", "the edit made in QuickBooks is kept")
            #expect((world.qboSandbox.statusCounts[400] ?? 0) > refused, "our first write was refused as stale")
            #expect(updated.SyncToken == "2" && updated.Line.count == 1)
            world.qboSandbox.setFaults(Self.faults(.dropped))
        }
    }

    /// What must not grow: our bills, vendor options (by name), comments on the tasks.
    struct Snapshot: Equatable {
        var bills: Int
        var options: Int
        var optionNames: Int
        var comments: Int
        var billTotals: [Decimal]
    }

    static func snapshot(_ world: ServicesWorld, tasks: [AsanaTask]) async throws -> Snapshot {
        let bills = try await world.ourBills()
        let options = try await world.optionsOf("vendor")
        var comments = 0
        for task in tasks { comments += try await world.asana.stories(task: task.gid).collect().filter { $0.resource_subtype == "comment_added" || $0.text?.contains("QuickBooks") == true }.count }
        return Snapshot(bills: bills.count, options: options.count, optionNames: Set(options.map(\.name)).count, comments: comments,
                        billTotals: bills.compactMap(\.TotalAmt).sorted())
    }
}
