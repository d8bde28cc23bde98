import Foundation
import TestSupport
import Testing

/// `ml-connector demo --exit --json`: the README's main command, as a script runs it.
@Suite struct DemoCommandTests {
    @Test func theDemoConvergesWithNoDuplicates() async throws {
        let directory = try TestDatabase.temporaryDirectory()
        let result = try await PackageExecutable.run("ml-connector", ["demo", "--exit", "--json", "--data-dir", directory])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let last = try #require(result.stdout.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["duplicates"] as? Int == 0)
        let agency = try #require((summary["integrations"] as? [String: Any])?["agency-billing"] as? [String: Any])
        #expect(agency["freshbooks"] as? [String: Int] == ["clients": 3, "projects": 3, "invoices": 3, "invoice_lines": 6])
        #expect((agency["asana"] as? [String: Int])?["status_updates"] == 6)
        #expect(agency["duplicates"] as? Int == 0)
        #expect(((agency["apiCalls"] as? [String: Int])?["freshbooks"] ?? 0) > 0)
        // The calls split by purpose add up to the calls, and the play's own (as people) are not the integration's.
        let purposes = try #require(agency["apiCallsByPurpose"] as? [String: [String: Int]])
        #expect(purposes.mapValues { $0.values.reduce(0, +) } == agency["apiCalls"] as? [String: Int])
        #expect(purposes["asana"]?["people"] == 16 && purposes["freshbooks"]?["people"] == 1, "3 projects, 7 tasks, 6 completions; 1 invoice sent: \(purposes)")
        #expect(purposes.values.allSatisfy { $0.values.allSatisfy { $0 > 0 } } && (purposes["asana"]?["set-up"] ?? 0) > 0)
        #expect(((summary["apiCalls"] as? [String: Int])?["freshbooks"] ?? 0) > 0)
        for firm in ["northwind-finance", "contoso-finance"] {
            let section = try #require((summary["integrations"] as? [String: Any])?[firm] as? [String: Any], "\(firm) reports on its own")
            #expect(section["jira"] as? [String: Int] == ["Invoice Created": 1, "Bill Received": 1, "Payment Received": 1, "Payment Failed": 1, "Refund": 1, "worklogs": 3, "with_reporter": 5])
            #expect((section["freshbooks"] as? [String: Int])?.filter { $0.key != "unknown_business_webhooks" } == ["invoices": 1, "autobill_failed": 1, "bills": 1, "payments": 1, "time_entries": 3])
            #expect(section["duplicates"] as? Int == 0)
            #expect(((section["apiCalls"] as? [String: Int])?["jira"] ?? 0) > 0)
        }
        #expect(((summary["integrations"] as? [String: Any])?["contoso-finance"] as? [String: Any]).flatMap { $0["freshbooks"] as? [String: Int] }?["unknown_business_webhooks"] == 1)
        let site = try #require((summary["integrations"] as? [String: Any])?["site-approvals"] as? [String: Any])
        #expect(site["acumatica"] as? [String: Int] == ["bills_released": 2, "bills_on_hold": 1])
        #expect((site["asana"] as? [String: Int]).map { [$0["tasks"], $0["vendor_options"], $0["release_failed"], $0["employees_without_user"]] } == [4, 3, 1, 1])
        #expect(site["duplicates"] as? Int == 0)
        #expect(((site["apiCalls"] as? [String: Int])?["acumatica"] ?? 0) > 0)
        let firm = try #require((summary["integrations"] as? [String: Any])?["services-costs"] as? [String: Any])
        #expect((firm["quickbooks"] as? [String: Int])?["bills_posted"] == 4 && (firm["quickbooks"] as? [String: Int])?["bills_paid"] == 1)
        #expect((firm["asana"] as? [String: Int])?["vendor_options"] == 5 && firm["duplicates"] as? Int == 0)
        #expect(((firm["apiCalls"] as? [String: Int])?["quickbooks"] ?? 0) > 0)
        #expect(result.stdout.contains("Summary"))
        // Nothing was left failing.
        let dead = try await PackageExecutable.run("ml-connector", ["dead-letters", "--json", "--data-dir", directory])
        #expect(dead.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(dead.stdout.utf8)) as? [Any])?.isEmpty == true, "\(dead.stdout)")
    }

    @Test func ctrlCEndsTheServingDemoCleanly() async throws {
        let directory = try TestDatabase.temporaryDirectory()
        let demo = try PackageExecutable.start("ml-connector", ["demo", "--data-dir", directory])
        #expect(await demo.waitForLine(containing: "Look:") != nil)
        try await _Concurrency.Task.sleep(for: .milliseconds(300))
        demo.interrupt()
        let result = await demo.finish()
        #expect(result.status == 0, "\(result.stderr.suffix(800))")
        #expect(!result.stderr.contains("Assertion") && !result.stderr.contains("Fatal"))
    }
}
