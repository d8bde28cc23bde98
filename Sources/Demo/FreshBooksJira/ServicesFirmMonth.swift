import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Jira
import Sandbox
import Store

/// The FreshBooks → Jira demo: two professional-services firms on one server, each with its
/// own FreshBooks business and Jira site. Per firm, an invoice, a vendor bill, a payment, a
/// failed payment and a refund become five issues; three time entries become worklogs. One
/// issue is rolled back and replayed, and a webhook naming an unknown business is counted.
public struct ServicesFirmMonth: DemoPlay {
    /// Creates the play.
    public init() {}

    public var title: String { "FreshBooks → Jira: two services firms, one server" }

    /// One firm: its sandboxes, connections and integration.
    struct Tenant {
        var name: String
        var business: FreshBooksSandbox.Business
        var freshbooks: FreshBooksDemoSandbox
        var jira: JiraDemoSandbox
        var fbClient: FreshBooksClient
        var jiraClient: JiraClient
        var engagement: String

        var integration: String { "\(name)-finance" }
        var apiCalls: [String: Int] {
            ["freshbooks": freshbooks.apiCalls, "jira": jira.apiCalls]
        }
    }

    public func play(in environment: DemoEnvironment) async throws -> [DemoReport] {
        let say = environment.say
        let businesses = [FreshBooksSandbox.Business(id: 520001, accountID: "NRTH01", name: "Northwind Consulting"),
                          FreshBooksSandbox.Business(id: 520002, accountID: "CNTS02", name: "Contoso Advisory")]
        var tenants: [Tenant] = []
        do {
            for business in businesses { tenants.append(try await start(business, environment: environment)) }
            say("two firms connected: \(tenants.map { "\($0.business.name) (FreshBooks \($0.business.accountID), its own Jira site)" }.joined(separator: ", "))")
            for tenant in tenants {
                let applied = try await IntegrationRegistry().apply(yaml: yaml(for: tenant), context: environment.integrationContext)
                say("integration \(tenant.integration) applied: \(applied.resolved.joined(separator: "; "))")
            }
            try await environment.waitUntil("FreshBooks callbacks of both firms") {
                let subscriptions = try await environment.store.subscriptions(connectionID: nil).filter { $0.connectionID?.hasPrefix("fb-") == true && $0.connectionID != "fb-agency" }
                return subscriptions.count == 2 * FreshBooksJiraIntegration.events.count && subscriptions.allSatisfy { $0.status == .active }
            }
            say("FreshBooks webhooks registered and verified for both businesses")
            for tenant in tenants { try await playMonth(tenant, environment: environment) }
            try await rollbackAndReplay(tenants[0], environment: environment)
            let unrouted = try await unknownBusiness(tenants[1], environment: environment)
            try await environment.waitForIdleQueue()
            var reports: [DemoReport] = []
            for tenant in tenants { reports.append(try await report(tenant, unrouted: tenant.name == tenants[1].name ? unrouted : 0, store: environment.store)) }
            for tenant in tenants { await tenant.freshbooks.stop(); await tenant.jira.stop() }
            return reports
        } catch {
            for tenant in tenants { await tenant.freshbooks.stop(); await tenant.jira.stop() }
            throw error
        }
    }

    private func start(_ business: FreshBooksSandbox.Business, environment: DemoEnvironment) async throws -> Tenant {
        var configuration = FreshBooksSandbox.Configuration()
        configuration.business = business
        let (fbSandbox, fbServer) = try await FreshBooksSandbox.serve(configuration: configuration)
        let freshbooks = FreshBooksDemoSandbox(sandbox: fbSandbox, server: fbServer)
        let (jiraSandbox, jiraServer) = try await JiraSandbox.serve()
        let jira = JiraDemoSandbox(sandbox: jiraSandbox, server: jiraServer)
        let name = business.name.split(separator: " ").first.map { $0.lowercased() } ?? "firm"
        let pipeline = HTTPPipeline(credentials: environment.store)
        let fbClient = FreshBooksClient(pipeline: pipeline, connection: try await environment.connect(freshbooks, id: "fb-\(name)"))
        let jiraClient = JiraClient(pipeline: pipeline, connection: try await environment.connect(jira, id: "jira-\(name)"))
        let engagement = try await jiraClient.createIssue(IssueDraft(project: jiraSandbox.projectKey, issueType: "Epic", summary: "\(business.name) engagements"),
                                                          key: "demo-engagement", previousAttemptUncertain: false)
        return Tenant(name: name, business: business, freshbooks: freshbooks, jira: jira, fbClient: fbClient, jiraClient: jiraClient, engagement: engagement.key)
    }

    private func yaml(for tenant: Tenant) -> String {
        """
        name: \(tenant.integration)
        kind: freshbooks-jira
        tenant: \(tenant.name)
        connections: { freshbooks: fb-\(tenant.name), jira: jira-\(tenant.name) }
        schedule: { poll: 1m }
        jira:
          project: \(tenant.jira.sandbox.projectKey)
          issue_types: { invoice: Invoice Created, bill: Bill Received, payment_received: Payment Received, payment_failed: Payment Failed, refund: Refund, expense: Expense }
          amount_field: Amount
        worklogs:
          default_issue: \(tenant.engagement)
        """
    }

    private func playMonth(_ tenant: Tenant, environment: DemoEnvironment) async throws {
        let fb = tenant.fbClient
        let sandbox = tenant.freshbooks.sandbox
        let client = try await fb.createClient(ClientDraft(firstName: "Blake", lastName: "Designer", organization: "\(tenant.business.name) client: Acme Corp",
                                                           email: "blake@sandbox-agency.test", currencyCode: "USD"))
        let invoice = try await fb.createInvoice(InvoiceDraft(customerID: client.id, invoiceNumber: "\(tenant.business.accountID)-1001", currencyCode: "USD",
                                                              lines: [InvoiceLine(name: "Advisory, March", quantity: 10, unitCost: Money(Decimal(string: "150.00") ?? 0, try CurrencyCode("USD")))]),
                                                 previousAttemptUncertain: false)
        _ = try await fb.markInvoiceSent(id: invoice.id)
        sandbox.receiveBill(vendor: "Cloud Hosting Ltd", email: "casey@sandbox-agency.test", number: "CH-778", amount: "412.40", issueDate: "2026-03-02")
        guard let received = sandbox.recordPayment(invoiceID: invoice.id, amount: "900.00") else { throw ConnectorError.permanent("the demo could not record a payment") }
        // The card on file is declined for the 600.00 left: FreshBooks marks the invoice's `autobill_status`.
        guard sandbox.settleAutobill(invoiceID: invoice.id, status: "failed") else { throw ConnectorError.permanent("the demo could not fail the invoice's autobill") }
        // A thin webhook is read back: the payment is refunded only once its receipt is in Jira.
        try await environment.waitUntil("four issues in \(tenant.name)'s Jira") {
            try await environment.store.links(integrationID: tenant.integration).filter { $0.target.type == JiraRecord.issue.rawValue }.count == 4
        }
        sandbox.changePayment(id: received, type: "Refund")
        try await environment.waitUntil("five issues in \(tenant.name)'s Jira") {
            try await environment.store.links(integrationID: tenant.integration).filter { $0.target.type == JiraRecord.issue.rawValue }.count == 5
        }
        environment.say("\(tenant.business.name): invoice, bill, payment, failed autobill and refund became 5 Jira issues")
        sandbox.logTime(startedAt: "2026-03-09T09:00:00", seconds: 5400, note: "Workshop prep for \(tenant.engagement)")
        sandbox.logTime(startedAt: "2026-03-10T13:30:00", seconds: 3600, note: "Stakeholder interviews")
        sandbox.logTime(startedAt: "2026-03-11T08:15:00", seconds: 2700, note: nil)
        try await environment.waitUntil("three worklogs in \(tenant.name)'s Jira") {
            try await environment.store.links(integrationID: tenant.integration).filter { $0.target.type == JiraRecord.worklog.rawValue }.count == 3
        }
        environment.say("\(tenant.business.name): 3 FreshBooks time entries (US/Eastern wall times) became worklogs on \(tenant.engagement)")
    }

    private func rollbackAndReplay(_ tenant: Tenant, environment: DemoEnvironment) async throws {
        let store = environment.store
        let links = try await store.links(integrationID: tenant.integration).filter { $0.source.type == FreshBooksRecord.bill.rawValue }
        guard let link = links.first else { throw ConnectorError.permanent("the demo expected the bill's issue") }
        let change = try await store.jobs(state: .succeeded, integrationID: tenant.integration, limit: 10_000).first { job in
            (try? job.decodePayload(TriggerRouter.ChangePayload.self).event.ref) == link.source
        }
        guard let change else { throw ConnectorError.permanent("the demo expected the bill's change job") }
        let key = try await tenant.jiraClient.issue(link.target.id).key
        let request = try await Rollback.request(for: change.id, store: store, pipeline: HTTPPipeline(credentials: store))
        try await store.enqueue(request)
        try await environment.waitUntil("the rollback of \(key)") { try await store.links(integrationID: tenant.integration, source: link.source).isEmpty }
        environment.say("rollback \(change.id): issue \(key) deleted, recorded in the audit trail")
        let replay = try await store.replay(id: change.id, now: Date())
        try await environment.waitUntil("the replay of \(change.id)") { try await !store.links(integrationID: tenant.integration, source: link.source).isEmpty }
        let again = try await tenant.jiraClient.issue(try await store.links(integrationID: tenant.integration, source: link.source).first?.target.id ?? "").key
        environment.say("replay \(replay): the bill's issue made again as \(again), once")
    }

    private func unknownBusiness(_ tenant: Tenant, environment: DemoEnvironment) async throws -> Int {
        let before = try await unroutedCount(environment.store)
        tenant.freshbooks.sandbox.fireForeign("invoice.create", objectID: 4242, accountID: "ZZZ999", businessID: 999_999)
        try await environment.waitUntil("the unknown business's webhook") { try await unroutedCount(environment.store) > before }
        environment.say("a webhook for unknown FreshBooks business ZZZ999 was recorded and counted, not routed")
        return try await unroutedCount(environment.store) - before
    }

    private func unroutedCount(_ store: SQLStore) async throws -> Int {
        try await store.auditEntries(AuditFilter(limit: 10_000)).filter { $0.action == "webhook.unrouted" }.count
    }

    private func report(_ tenant: Tenant, unrouted: Int, store: SQLStore) async throws -> DemoReport {
        let issues = try await tenant.jiraClient.search(jql: "project = \(tenant.jira.sandbox.projectKey) ORDER BY created ASC").collect()
        let finance = issues.filter { $0.fields?.labels?.contains { $0.hasPrefix("mlc-fb-") } == true }
        var worklogs = 0
        for issue in issues { worklogs += try await tenant.jiraClient.worklogs(issue: issue.key).collect().count }
        let labels = finance.compactMap { $0.fields?.labels?.first { $0.hasPrefix("mlc-fb-") } }
        let links = try await store.links(integrationID: tenant.integration)
        let worklogLinks = links.filter { $0.target.type == JiraRecord.worklog.rawValue }
        let jobs = try await store.jobs(state: nil, integrationID: tenant.integration, limit: 10_000)
        let byType = Dictionary(grouping: finance, by: { $0.fields?.issuetype?.name ?? "?" }).mapValues(\.count)
        let invoices = try await tenant.fbClient.invoices().collect()
        return DemoReport(integration: tenant.integration,
                          records: [(.freshbooks, "FreshBooks", ["invoices": invoices.count, "autobill_failed": invoices.filter { $0.autobillStatus == .failed }.count, "bills": try await tenant.fbClient.bills().collect().count,
                                                                 "payments": try await tenant.fbClient.payments().collect().count,
                                                                 "time_entries": try await tenant.fbClient.timeEntries().collect().count, "unknown_business_webhooks": unrouted]),
                                    (.jira, "Jira created", byType.merging(["worklogs": worklogs, "with_reporter": finance.filter { $0.fields?.reporter != nil }.count]) { $1 })],
                          triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count),
                          duplicates: (labels.count - Set(labels).count) + (worklogs - worklogLinks.count),
                          apiCalls: tenant.apiCalls)
    }
}
