import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Jira
import Sandbox
import Store
import TestSupport
import Testing

/// The SIGKILL campaign for FreshBooks → Jira: `serve` processes killed at random while they
/// turn invoices, bills and time entries into issues and worklogs, with Jira search lagging and
/// create answers lost; afterwards each issue and worklog exists exactly once.
/// `MLC_CRASH_TRIALS` sets the number of kills (8 by default).
@Suite struct FreshBooksJiraCrashTests {
    static let perKind = 6

    @Test(arguments: TestDatabase.available)
    func killedServersMakeEveryIssueAndWorklogOnce(_ database: TestDatabase) async throws {
        let trials = ServeCampaign.trials(fallback: 20)
        let test = try await database.makeStore()
        let store = test.store
        var jiraConfiguration = JiraSandbox.Configuration()
        jiraConfiguration.searchLag = .milliseconds(300)
        let (fbSandbox, fbServer) = try await FreshBooksSandbox.serve()
        let (jiraSandbox, jiraServer) = try await JiraSandbox.serve(configuration: jiraConfiguration)
        func stopAll() async {
            await fbServer.stop()
            await jiraServer.stop()
            await store.close()
        }
        do {
            let fbConnection = try await fbSandbox.addOAuthConnection(id: "fb-k", server: fbServer, rateLimit: "5000/1s", to: store)
            let jiraConnection = try await JiraFixture.addConnection(id: "jira-k", sandbox: jiraSandbox, server: jiraServer, to: store)
            let pipeline = HTTPPipeline(credentials: store)
            let fb = FreshBooksClient(pipeline: pipeline, connection: fbConnection)
            let jira = JiraClient(pipeline: pipeline, connection: jiraConnection)
            let engagement = try await jira.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "Engagements"), key: "k-engagement", previousAttemptUncertain: false)
            let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: pipeline, publicURL: nil))
            _ = try await IntegrationRegistry().apply(yaml: FreshBooksJiraEndToEndTests.yaml(freshbooks: fbConnection.id, jira: jiraConnection.id, project: jiraSandbox.projectKey,
                                                                                            defaultIssue: engagement.key) + "\nschedule: { poll: 30s }", context: context)
            let customer = try await fb.createClient(ClientDraft(organization: "Acme Corp", email: "blake@sandbox-agency.test"))
            for index in 0..<Self.perKind {
                _ = try await fb.createInvoice(InvoiceDraft(customerID: customer.id, invoiceNumber: "K-\(index)", currencyCode: "USD",
                                                            lines: [InvoiceLine(name: "Work \(index)", quantity: 1, unitCost: Money(Decimal(100 + index), try CurrencyCode("USD")))]),
                                               previousAttemptUncertain: false)
                fbSandbox.receiveBill(vendor: "Vendor \(index)", email: nil, number: "B-\(index)", amount: "\(20 + index).50", issueDate: "2026-03-02")
                fbSandbox.logTime(startedAt: "2026-03-0\(index + 1)T09:00:00", seconds: 600 * (index + 1), note: "Entry \(index)")
            }
            // Some creates are applied but their answers lost: the next attempt must find them by label.
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 3
            jiraSandbox.setFaults(faults)

            let started = ContinuousClock.now
            try await ServeCampaign.run(test, database: database, trials: trials, during: { _ in }) {
                // Converge: polls now, and anything that died meanwhile replayed.
                let deadline = ContinuousClock.now + .seconds(90)
                while true {
                    let links = try await store.links(integrationID: "firm-finance")
                    if links.filter({ $0.target.type == JiraRecord.issue.rawValue }).count == 2 * Self.perKind && links.filter({ $0.target.type == JiraRecord.worklog.rawValue }).count == Self.perKind { break }
                    guard ContinuousClock.now < deadline else { Issue.record("no convergence: \(links.count) links"); break }
                    try await IntegrationRegistry().runNow(try #require(try await store.integration(id: "firm-finance")), context: context)
                    for letter in try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 500) { _ = try await store.replay(id: letter.id, now: Date()) }
                    try await _Concurrency.Task.sleep(for: .milliseconds(500))
                }
                print("freshbooks-jira crash campaign on \(database): \(trials) kills, converged after \(ContinuousClock.now - started)")
            }

            jiraSandbox.setSearchLag(.zero)
            let issues = try await jira.search(jql: "project = \(jiraSandbox.projectKey) ORDER BY created ASC").collect().filter { $0.fields?.labels?.contains { $0.hasPrefix("mlc-fb-") } == true }
            let labels = issues.compactMap { $0.fields?.labels?.first { $0.hasPrefix("mlc-fb-") } }
            #expect(issues.count == 2 * Self.perKind && Set(labels).count == 2 * Self.perKind)
            let worklogs = try await jira.worklogs(issue: engagement.key).collect()
            #expect(worklogs.count == Self.perKind && Set(worklogs.compactMap { $0.comment?.plainText }).count == Self.perKind)
            #expect(Set(worklogs.map(\.timeSpentSeconds)) == Set((1...Self.perKind).map { 600 * $0 }))
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }
}
