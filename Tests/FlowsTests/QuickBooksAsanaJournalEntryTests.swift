import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// A firm that posts its costs as journal entries, through `integration apply`: the entry
/// debits the expense on the project's class and department and names the assignee's
/// employee (people align by email), credits the configured account, carries the posting's
/// `requestid`, and an attempt that died after QuickBooks made it finds it by its number
/// instead of posting again.
@Suite struct QuickBooksAsanaJournalEntryTests {
    static let dropped = QuickBooksAsanaEndToEndTests.faults(.dropped)

    /// The journal entries this integration posted.
    static func ourEntries(_ world: ServicesWorld) async throws -> [JournalEntry] {
        try await world.qbo.journalEntries().collect().filter { $0.DocNumber?.hasPrefix("ASN") == true }
    }

    @Test(arguments: TestDatabase.available)
    func aTaskPostsOneJournalEntryFoundByItsNumberAfterAnUncertainAttempt(_ database: TestDatabase) async throws {
        try await ServicesWorld.with(database: database, faults: Self.dropped) { world in
            let qbo = world.qbo
            struct NewEmployee: Encodable, Sendable { var GivenName: String, FamilyName: String, PrimaryEmailAddr: EmailAddress }
            let casey = try await qbo.create(.employee, NewEmployee(GivenName: "Casey", FamilyName: "Developer", PrimaryEmailAddr: EmailAddress(Address: "Casey@Sandbox-Agency.test")),
                                             requestID: "casey", as: Employee.self)
            try await world.apply(postAs: "journal-entry")
            try await world.pollUntil("the vendor options") { try await world.optionsOf("vendor").count == 2 }

            // The entry is made, then the job dies on the task's write: its create is uncertain.
            let task = try await world.task("Contract week", project: 1, vendor: "Jordan Freelance", amount: 960, assignee: "casey@sandbox-agency.test")
            QuickBooksAsanaAggregateTests.refuseWrites(to: task, in: world)
            try await world.pollUntil("the entry made and the task's write refused") {
                let letters = try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10)
                return try await Self.ourEntries(world).count == 1 && !letters.isEmpty
            }
            try await world.idle()
            let route = "POST /v3/company/\(world.qboSandbox.realmID)/journalentry"
            let posts = world.qboSandbox.requestCounts[route] ?? 0
            world.asanaSandbox.setFaults(Self.dropped)
            for letter in try await world.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10) { _ = try await world.store.replay(id: letter.id, now: Date()) }
            world.engine?.pool.nudge()
            let post = try #require(world.fields["post_status"])
            try await world.pollUntil("'posted' on the task") { try await world.asana.task(gid: task.gid).value(of: post)?.enum_value?.gid == world.options["posted"] }
            try await world.idle()
            #expect(world.qboSandbox.requestCounts[route] ?? 0 == posts, "the retry found the entry by its number and sent nothing")

            let entries = try await Self.ourEntries(world)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            let debit = try #require(entry.Line.first { $0.JournalEntryLineDetail?.PostingType == "Debit" }?.JournalEntryLineDetail)
            let credit = try #require(entry.Line.first { $0.JournalEntryLineDetail?.PostingType == "Credit" }?.JournalEntryLineDetail)
            let classes = Dictionary(try await qbo.classes().collect().map { ($0.Name ?? "", $0.Id) }, uniquingKeysWith: { first, _ in first })
            let departments = Dictionary(try await qbo.departments().collect().map { ($0.Name ?? "", $0.Id) }, uniquingKeysWith: { first, _ in first })
            let contractors = try await world.accountID("Contractors"), checking = try await world.accountID("Checking")
            #expect(debit.AccountRef.value == contractors && credit.AccountRef.value == checking)
            #expect(debit.ClassRef?.value == classes["Engineering"] && debit.DepartmentRef?.value == departments["South Office"], "the project's own class field, the configured department")
            #expect(debit.Entity?.Type == "Employee" && debit.Entity?.EntityRef.value == casey.Id, "the assignee's employee, by email in any case")
            #expect(entry.TotalAmt == 960 && credit.Entity == nil)

            // The create carried the posting's key as its requestid: QuickBooks answers it with the same entry.
            let again = try await qbo.createJournalEntry(entry, requestID: "quickbooks-posting:\(ExternalRef.asana(.task, task.gid))")
            #expect(again.Id == entry.Id)
            #expect(try await Self.ourEntries(world).count == 1)

            // `integration show`: the Asana people no employee or vendor shares an email with.
            let record = try #require(try await world.store.integration(id: ServicesWorld.name))
            let people = await QuickBooksAsanaIntegration().details(for: record, context: world.context)["people without an employee or vendor of the same email"]
            #expect(people == "avery@sandbox-agency.test; blake@sandbox-agency.test")

            // After apply the project's own field names a class QuickBooks lacks: the task's next
            // change is said on the task once, and the entry is left as it was.
            let projectClass = try #require(world.fields["project_class"])
            _ = try await world.asana.updateProject(gid: world.projects[1], ProjectDraft(customFields: [projectClass: .enumOption(try #require(world.options["Consulting"]))]))
            _ = try await world.asana.updateTask(gid: task.gid, TaskDraft(customFields: [try #require(world.fields["amount"]): .number(990)]))
            let saysConsulting = { try await world.asana.stories(task: task.gid).collect().filter { $0.text?.contains("class \"Consulting\"") == true }.count }
            try await world.pollUntil("the unknown class said on the task") { try await saysConsulting() > 0 }
            try await world.idle()
            #expect(try await saysConsulting() == 1)
            #expect(try await Self.ourEntries(world).first?.TotalAmt == 960)
        }
    }
}
