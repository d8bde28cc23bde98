import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store
import TestSupport
import Testing

/// Both sandboxes, both connections, billing fields in Asana, and an engine with short retries
/// over one store: the setting of the exactly-once scenarios. Webhooks are dropped, so the polls
/// (run on demand) carry every change.
struct AgencyWorld {
    let fb: FreshBooksFixture
    let asanaSandbox: AsanaSandbox
    let asanaServer: SandboxServer
    let asanaConnection: Connection
    let amount: String
    let expenseField: String
    let engine: LiveEngine

    var store: SQLStore { fb.store }
    var asana: AsanaClient { AsanaClient(pipeline: fb.pipeline, connection: asanaConnection) }
    var context: IntegrationContext { IntegrationContext(store: store, catalog: SystemCatalog(pipeline: fb.pipeline, publicURL: nil)) }

    /// Starts the world for `body` and stops it before returning, also when `body` throws.
    static func with<Value>(database: TestDatabase, _ body: (AgencyWorld) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start(database: database) }, stop: { await $0.stop() }, body)
    }

    static func start(database: TestDatabase) async throws -> AgencyWorld {
        let fb = try await FreshBooksFixture.start(database: database)
        let (asanaSandbox, asanaServer) = try await AsanaSandbox.serve()
        let asanaConnection = Connection(id: "asana-world", system: .asana, baseURLs: ["api": asanaServer.baseURL + AsanaSandbox.prefix, "auth": asanaServer.baseURL],
                                         settings: ["workspace_gid": asanaSandbox.workspaceGID, "auth": "pat", "rate_limit": "2000/1s"])
        try await fb.store.addConnection(asanaConnection, credential: Credential(kind: .apiToken, accessToken: asanaSandbox.personalAccessToken))
        var drop = FaultPlan()
        drop.dropWebhooks = true
        fb.sandbox.setFaults(drop)
        asanaSandbox.setFaults(drop)
        let amount = asanaSandbox.createCustomField(name: "Amount", subtype: "number", precision: 2).gid
        let expenseField = asanaSandbox.createCustomField(name: "Expense", subtype: "number", precision: 2).gid
        let engine = try await LiveEngine.start(store: fb.store, pipeline: fb.pipeline, extra: IntegrationRegistry().handlers(pipeline: fb.pipeline),
                                                retry: RetrySchedule(base: .milliseconds(50), cap: .milliseconds(200)))
        return AgencyWorld(fb: fb, asanaSandbox: asanaSandbox, asanaServer: asanaServer, asanaConnection: asanaConnection, amount: amount, expenseField: expenseField, engine: engine)
    }

    /// Applies an integration `name` of the team, with `group` invoices.
    func apply(name: String, group: String = "per-project-month", markSent: Bool = false) async throws {
        let yaml = """
        name: \(name)
        kind: freshbooks-asana
        connections: { freshbooks: \(fb.connection.id), asana: \(asanaConnection.id) }
        schedule: { poll: 30s }
        asana:
          workspace: "\(asanaSandbox.workspaceGID)"
          team: "\(asanaSandbox.teamGID)"
          fields: { billable_amount: "\(amount)", expense_amount: "\(expenseField)" }
        freshbooks:
          invoice: { group: \(group), number_prefix: "X-", currency: USD, mark_sent: \(markSent) }
          expense: { category: 2 }
        """
        _ = try await IntegrationRegistry().apply(yaml: yaml, context: context)
    }

    /// A project in the team with the billing fields attached.
    func project(_ name: String) async throws -> Asana.Project {
        let project = try await asana.createProject(ProjectDraft(name: name, team: asanaSandbox.teamGID))
        for field in [amount, expenseField] { asanaSandbox.attach(field: field, to: project.gid) }
        return project
    }

    /// A completed task with a billable amount (and an expense, when given).
    @discardableResult
    func completedTask(_ name: String, in project: String, amount price: String, expense: String? = nil) async throws -> AsanaTask {
        var fields: [String: CustomFieldInput] = [amount: .number(Decimal(string: price)!)]
        if let expense { fields[expenseField] = .number(Decimal(string: expense)!) }
        let task = try await asana.createTask(TaskDraft(name: name, projects: [project], customFields: fields), key: name, keyField: nil, previousAttemptUncertain: false)
        return try await asana.completeTask(gid: task.gid)
    }

    /// Polls every feed of integration `name` now, until `condition` holds.
    func pollUntil(_ integration: String, _ what: String, seconds: Int = 30, _ condition: () async throws -> Bool) async throws {
        try await eventually(what, timeout: .seconds(seconds), interval: .milliseconds(150), diagnostics: {
            try await store.auditEntries(AuditFilter(limit: 8)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" }.joined(separator: "; ")
        }) {
            if try await condition() { return true }
            try await IntegrationRegistry().runNow(try #require(try await store.integration(id: integration)), context: context)
            engine.pool.nudge()
            return false
        }
    }

    /// What FreshBooks holds: clients, projects, invoices, expenses.
    func counts() async throws -> [Int] {
        [try await fb.client.clients().collect().count, try await fb.client.projects().collect().count,
         try await fb.client.invoices().collect().count, try await fb.client.expenses().collect().count]
    }

    func stop() async {
        await engine.stop()
        await asanaServer.stop()
        await fb.stop()
    }
}
