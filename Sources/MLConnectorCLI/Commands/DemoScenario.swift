import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store

/// The agency's week the demo plays: three client engagements in Asana, billable work
/// completed, an invoice sent and paid — all through the vendors' APIs, as people would.
struct DemoScenario {
    let store: SQLStore
    let freshbooks: (sandbox: FreshBooksSandbox, server: SandboxServer)
    let asana: (sandbox: AsanaSandbox, server: SandboxServer)
    let serverURL: String
    let fb: FreshBooksClient
    let asanaClient: AsanaClient
    let config: FreshBooksAsanaConfig
    let amountField: String
    let statusOptions: [String: String]
    let statusField: String

    static func prepare(store: SQLStore, freshbooks: (FreshBooksSandbox, SandboxServer), asana: (AsanaSandbox, SandboxServer), serverURL: String, say: (String) -> Void) async throws -> DemoScenario {
        let pipeline = HTTPPipeline(credentials: store)
        let tokens = freshbooks.0.issueTokens()
        let app = freshbooks.0.configuration
        let fbConnection = Connection(id: "fb-agency", system: .freshbooks, displayName: "Sandbox Agency (FreshBooks)",
                                      baseURLs: ["api": freshbooks.1.baseURL, "auth": freshbooks.1.baseURL], accountRef: freshbooks.0.accountID,
                                      settings: ["account_id": freshbooks.0.accountID, "business_id": "\(freshbooks.0.businessID)", "rate_limit": "100/1s"])
        try await store.addConnection(fbConnection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                           clientID: app.clientID, clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]))
        let asanaConnection = Connection(id: "asana-agency", system: .asana, displayName: "Sandbox Agency (Asana)",
                                         baseURLs: ["api": asana.1.baseURL + AsanaSandbox.prefix, "auth": asana.1.baseURL], accountRef: asana.0.workspaceGID,
                                         settings: ["workspace_gid": asana.0.workspaceGID, "auth": "pat", "rate_limit": "100/1s"])
        try await store.addConnection(asanaConnection, credential: Credential(kind: .apiToken, accessToken: asana.0.personalAccessToken))
        say("connections fb-agency and asana-agency added")

        let amount = asana.0.createCustomField(name: "Billable amount", subtype: "number", precision: 2)
        let status = asana.0.createCustomField(name: "Billing status", subtype: "enum", options: FreshBooksAsanaConfig.statuses)
        let yaml = """
        name: agency-billing
        kind: freshbooks-asana
        connections: { freshbooks: fb-agency, asana: asana-agency }
        schedule: { poll: 1m }
        asana:
          workspace: "\(asana.0.workspaceGID)"
          team: "\(asana.0.teamGID)"
          fields:
            billable_amount: "\(amount.gid)"
            billing_status:
              field: "\(status.gid)"
              options: { \(FreshBooksAsanaConfig.statuses.map { "\($0): \"\(status.options[$0]!)\"" }.joined(separator: ", ")) }
        freshbooks:
          invoice: { group: per-project-month, number_prefix: "AGY-", currency: USD, mark_sent: false, due_offset_days: 30 }
        """
        let config = try FreshBooksAsanaConfig.load(yaml: yaml)
        let applied = try await FreshBooksAsanaSetup(pipeline: pipeline, store: store).apply(config, publicURL: serverURL)
        say("integration agency-billing applied: fields \(applied.fields.values.sorted().joined(separator: ", ")) checked by GID")
        return DemoScenario(store: store, freshbooks: freshbooks, asana: asana, serverURL: serverURL, fb: FreshBooksClient(pipeline: pipeline, connection: fbConnection),
                            asanaClient: AsanaClient(pipeline: pipeline, connection: asanaConnection), config: config, amountField: amount.gid,
                            statusOptions: status.options, statusField: status.gid)
    }

    func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CLIFailure(message: "the demo timed out waiting for \(what); see ml-connector audit") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func run(say: (String) -> Void) async throws -> DemoSummary {
        try await waitUntil("webhooks on both sides") {
            let subscriptions = try await store.subscriptions(connectionID: nil)
            return subscriptions.count >= 4 && subscriptions.allSatisfy { $0.status == .active }
        }
        say("webhooks registered and verified (FreshBooks callbacks, Asana workspace webhook)")

        let engagements = [("Acme Corp: Website relaunch", ["Discovery workshop": "1800.00", "Homepage design": "2450.50", "Launch support": "600.00"]),
                           ("Globex: Brand refresh", ["Logo concepts": "3200.00", "Style guide": "1500.25"]),
                           ("Initech: Intranet app", ["Prototype": "4100.00", "Usability test": "980.10"])]
        var projects: [Asana.Project] = []
        for (name, _) in engagements {
            let project = try await asanaClient.createProject(ProjectDraft(name: name, team: asana.sandbox.teamGID, dueOn: "2026-12-31"))
            asana.sandbox.attach(field: amountField, to: project.gid)
            asana.sandbox.attach(field: statusField, to: project.gid)
            projects.append(project)
        }
        try await waitUntil("three FreshBooks projects") { try await fb.projects().collect().count == 3 }
        say("3 Asana projects became 3 FreshBooks clients and projects")
        _ = try await FreshBooksAsanaSetup(pipeline: fb.pipeline, store: store).apply(config, publicURL: serverURL)
        try await waitUntil("project webhooks") { try await store.subscriptions(connectionID: asanaClient.connection.id).count == 4 }

        var completed: [AsanaTask] = []
        for (project, engagement) in zip(projects, engagements) {
            for (index, (task, amount)) in engagement.1.sorted(by: { $0.key < $1.key }).enumerated() {
                let created = try await asanaClient.createTask(TaskDraft(name: task, projects: [project.gid], assignee: "blake@sandbox-agency.test",
                                                                         customFields: [amountField: .number(Decimal(string: amount)!)]),
                                                               key: "demo-\(project.gid)-\(index)", keyField: nil, previousAttemptUncertain: false)
                if index < 2 { completed.append(try await asanaClient.completeTask(gid: created.gid)) }
            }
        }
        say("7 tasks with billable amounts, 6 completed")
        try await waitUntil("three draft invoices with six lines") {
            let invoices = try await fb.invoices(lines: true).collect()
            return invoices.count == 3 && invoices.reduce(0) { $0 + ($1.lines?.count ?? 0) } == 6
        }
        say("3 draft FreshBooks invoices, one per project and month, 6 lines")

        let acme = try require(try await fb.invoices().collect().sorted { $0.id < $1.id }.first, "an invoice")
        _ = try await fb.markInvoiceSent(id: acme.id)
        freshbooks.sandbox.recordPayment(invoiceID: acme.id, amount: Money.string(acme.amount?.amount ?? 0))
        try await waitUntil("the payment on the Asana tasks") {
            let tasks = try await asanaClient.tasks(project: projects[0].gid).collect()
            return tasks.filter(\.completed).allSatisfy { $0.value(of: statusField)?.enum_value?.gid == statusOptions["paid"] }
        }
        say("invoice \(acme.invoiceNumber) sent and paid; 'paid' is on its Asana tasks")
        try await waitUntil("the queue to settle", timeout: .seconds(30)) {
            let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(2) }
            let running = try await store.jobCounts()[.running, default: 0]
            return due.isEmpty && running == 0
        }
        return try await summarize(projects: projects)
    }

    private func summarize(projects: [Asana.Project]) async throws -> DemoSummary {
        let clients = try await fb.clients().collect()
        let fbProjects = try await fb.projects().collect()
        let invoices = try await fb.invoices(lines: true).collect()
        var asanaTasks: [AsanaTask] = []
        for project in projects { asanaTasks += try await asanaClient.tasks(project: project.gid).collect() }
        let jobs = try await store.jobs(state: nil, integrationID: "agency-billing", limit: 10_000)
        let lines = invoices.flatMap { $0.lines ?? [] }
        let duplicates = (clients.count - Set(clients.compactMap(\.organization)).count) + (fbProjects.count - Set(fbProjects.map(\.title)).count)
            + (invoices.count - Set(invoices.map(\.invoiceNumber)).count) + (lines.count - Set(lines.compactMap(\.description)).count)
            + (asanaTasks.count - Set(asanaTasks.map(\.name)).count)
        let statusWrites = try await store.links(integrationID: "agency-billing").filter { $0.source.system == .freshbooks && $0.target.type == "task" }.count
        return DemoSummary(
            freshbooks: ["clients": clients.count, "projects": fbProjects.count, "invoices": invoices.count, "invoice_lines": lines.count],
            asana: ["projects": projects.count, "tasks": asanaTasks.count, "status_updates": statusWrites],
            triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count),
            apiCalls: ["freshbooks": freshbooks.sandbox.totalRequests, "asana": asana.sandbox.requestCounts.values.reduce(0, +)],
            duplicates: duplicates, elapsedSeconds: 0)
    }
}

/// What the demo did, for people and scripts.
struct DemoSummary: Encodable {
    var freshbooks: [String: Int]
    var asana: [String: Int]
    var triggers: [String: Int]
    var apiCalls: [String: Int]
    var duplicates: Int
    var elapsedSeconds: Double

    var table: String {
        var rows = ["", "Summary"]
        rows.append("  FreshBooks created  " + freshbooks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        rows.append("  Asana               " + asana.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        rows.append("  jobs by trigger     " + triggers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        rows.append("  API calls           " + apiCalls.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        rows.append("  duplicates          \(duplicates)")
        rows.append(String(format: "  elapsed             %.1f s", elapsedSeconds))
        return rows.joined(separator: "\n")
    }
}

/// `try #require` for the CLI: a missing value is a clear failure.
func require<T>(_ value: T?, _ what: String = "a record") throws -> T {
    guard let value else { throw CLIFailure(message: "the demo expected \(what) and found none") }
    return value
}
