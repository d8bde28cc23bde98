import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport
import Testing

/// The services-firm setting of the QuickBooks ↔ Asana tests: both sandboxes, both
/// connections, the cost fields on two projects (the second naming its class Engineering in
/// its own class field, whose options a person started), QuickBooks' portal webhook pointed at the
/// engine's ingress, and the engine over one store (or none, when `serve` processes run the
/// jobs). Polls run on demand (`pollUntil`).
struct ServicesWorld {
    let test: TestStore
    let pipeline: HTTPPipeline
    let qboSandbox: QuickBooksSandbox
    let qboServer: SandboxServer
    let qboConnection: Connection
    let asanaSandbox: AsanaSandbox
    let asanaServer: SandboxServer
    let asanaConnection: Connection
    let engine: LiveEngine?
    let projects: [String]
    let fields: [String: String]
    let options: [String: String]

    var store: SQLStore { test.store }
    var qbo: QuickBooksClient { QuickBooksClient(pipeline: pipeline, connection: qboConnection) }
    var asana: AsanaClient { AsanaClient(pipeline: pipeline, connection: asanaConnection) }
    var context: IntegrationContext { IntegrationContext(store: store, catalog: SystemCatalog(pipeline: pipeline, publicURL: engine?.baseURL)) }
    static let name = "firm-costs"

    /// Starts the world with `faults` on both sandboxes' webhooks (and QuickBooks started with
    /// `quickbooks`, each of its requests first handed to `beforeQuickBooks` when given), runs
    /// `body`, and stops it.
    static func with<Value>(database: TestDatabase, faults: FaultPlan = FaultPlan(), engine: Bool = true, quickbooks: QuickBooksSandbox.Configuration = .init(),
                            beforeQuickBooks: (@Sendable (_ method: String, _ path: String) async -> Void)? = nil,
                            _ body: (ServicesWorld) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start(database: database, faults: faults, engine: engine, quickbooks: quickbooks, beforeQuickBooks: beforeQuickBooks) },
                              stop: { await $0.stop() }, body)
    }

    static func start(database: TestDatabase, faults: FaultPlan, engine withEngine: Bool, quickbooks: QuickBooksSandbox.Configuration,
                      beforeQuickBooks: (@Sendable (_ method: String, _ path: String) async -> Void)? = nil) async throws -> ServicesWorld {
        let test = try await database.makeStore()
        let store = test.store
        let pipeline = HTTPPipeline(credentials: store)
        let (qboSandbox, qboServer): (QuickBooksSandbox, SandboxServer)
        if let beforeQuickBooks {
            let sandbox = QuickBooksSandbox(configuration: quickbooks)
            (qboSandbox, qboServer) = (sandbox, try await SandboxServer.start(label: "quickbooks-sandbox", before: beforeQuickBooks) { sandbox.addRoutes(to: $0) })
        } else {
            (qboSandbox, qboServer) = try await QuickBooksSandbox.serve(configuration: quickbooks)
        }
        let (asanaSandbox, asanaServer) = try await AsanaSandbox.serve()
        var qboConnection = Connection(id: "qbo-firm", system: .quickbooks, baseURLs: ["api": qboServer.baseURL, "auth": qboServer.baseURL, "token": qboServer.baseURL],
                                       accountRef: qboSandbox.realmID)
        qboConnection[setting: .rateLimit] = "2000/1s"
        let tokens = qboSandbox.issueTokens()
        try await store.addConnection(qboConnection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                            clientID: qboSandbox.configuration.clientID, clientSecret: qboSandbox.configuration.clientSecret))
        let asanaConnection = try await asanaSandbox.addPATConnection(id: "asana-firm", server: asanaServer, to: store)
        qboSandbox.setFaults(faults)
        asanaSandbox.setFaults(faults)

        var fields: [String: String] = [:]
        var options: [String: String] = [:]
        for (role, subtype) in [("vendor", "enum"), ("customer", "enum"), ("class", "enum"), ("amount", "number"), ("due_date", "date"), ("balance", "number"), ("vendor_email", "text")] {
            fields[role] = asanaSandbox.createCustomField(name: role, subtype: subtype, precision: subtype == "number" ? 2 : nil).gid
        }
        let post = asanaSandbox.createCustomField(name: "post", subtype: "enum", options: ["post", "posted"])
        let status = asanaSandbox.createCustomField(name: "bill status", subtype: "enum", options: QuickBooksAsanaConfig.billStatuses)
        let projectClass = asanaSandbox.createCustomField(name: "project class", subtype: "enum", options: ["Engineering", "Consulting"])
        fields["post_status"] = post.gid
        fields["bill_status"] = status.gid
        fields["project_class"] = projectClass.gid
        options.merge(post.options) { $1 }
        options.merge(status.options) { $1 }
        options.merge(projectClass.options) { $1 }
        let asana = AsanaClient(pipeline: pipeline, connection: asanaConnection)
        var projects: [String] = []
        for name in ["Brand studio", "Platform build"] {
            let project = try await asana.createProject(ProjectDraft(name: name, workspace: asanaSandbox.workspaceGID))
            for field in fields.values { asanaSandbox.attach(field: field, to: project.gid) }
            projects.append(project.gid)
        }
        let engineering = try #require(projectClass.options["Engineering"])
        _ = try await asana.updateProject(gid: projects[1], ProjectDraft(customFields: [projectClass.gid: .enumOption(engineering)]))
        var engine: LiveEngine?
        if withEngine {
            let live = try await LiveEngine.start(store: store, pipeline: pipeline, extra: IntegrationRegistry().handlers(pipeline: pipeline),
                                                  retry: RetrySchedule(base: .milliseconds(50), cap: .milliseconds(300)))
            // What `connection webhook` records, and the portal's side of it.
            let subscription = WebhookSubscription(tenant: qboConnection.tenant, system: .quickbooks, connectionID: qboConnection.id, resource: "portal", status: .active)
            try await store.saveSubscription(subscription, secret: qboSandbox.configuration.verifierToken)
            qboSandbox.addWebhookEndpoint(url: "\(live.baseURL)/webhooks/quickbooks/\(subscription.id)")
            engine = live
        }
        return ServicesWorld(test: test, pipeline: pipeline, qboSandbox: qboSandbox, qboServer: qboServer, qboConnection: qboConnection, asanaSandbox: asanaSandbox,
                             asanaServer: asanaServer, asanaConnection: asanaConnection, engine: engine, projects: projects, fields: fields, options: options)
    }

    /// The integration's YAML; the first project on Design/North Office, the second on South
    /// Office and `secondClass` (nil: the class its own field names).
    func yaml(secondClass: String? = nil, postAs: String = "bill") async throws -> String {
        func gid(_ role: String) throws -> String { try #require(fields[role]) }
        func option(_ name: String) throws -> String { try #require(options[name]) }
        return """
        name: \(Self.name)
        kind: quickbooks-asana
        connections: { quickbooks: \(qboConnection.id), asana: \(asanaConnection.id) }
        schedule: { poll: 1h }
        asana:
          workspace: "\(asanaSandbox.workspaceGID)"
          projects: ["\(projects[0])", "\(projects[1])"]
          fields:
            vendor: "\(try gid("vendor"))"
            customer: "\(try gid("customer"))"
            class: "\(try gid("class"))"
            project_class: "\(try gid("project_class"))"
            amount: "\(try gid("amount"))"
            due_date: "\(try gid("due_date"))"
            balance: "\(try gid("balance"))"
            vendor_email: "\(try gid("vendor_email"))"
            post_status: { field: "\(try gid("post_status"))", options: { post: "\(try option("post"))", posted: "\(try option("posted"))" } }
            bill_status: { field: "\(try gid("bill_status"))", options: { open: "\(try option("open"))", "partially paid": "\(try option("partially paid"))", paid: "\(try option("paid"))" } }
        quickbooks:
          post_as: \(postAs)
          default_expense_account: "\(try await accountID("Contractors"))"
          credit_account: "\(try await accountID("Checking"))"
          currency: USD
          projects:
            "\(projects[0])": { class: Design, department: North Office }
            "\(projects[1])": { \(secondClass.map { "class: \($0), " } ?? "")department: South Office }
        people: { match: email }
        """
    }

    /// Applies the integration.
    @discardableResult
    func apply(secondClass: String? = nil, postAs: String = "bill") async throws -> AppliedIntegration {
        try await IntegrationRegistry().apply(yaml: try await yaml(secondClass: secondClass, postAs: postAs), context: context)
    }

    func accountID(_ name: String) async throws -> String {
        try #require(try await qbo.accounts().collect().first { $0.Name == name }?.Id)
    }

    /// The enabled and disabled options of a field, by name.
    func optionsOf(_ role: String) async throws -> [EnumOption] {
        try await asana.customField(gid: try #require(fields[role])).enum_options ?? []
    }

    /// A bill task: vendor option by name, amount, due date (nil: none), post status, and an assignee by email.
    @discardableResult
    func task(_ name: String, project: Int, vendor: String, amount: Decimal, due: String? = "2026-12-15", assignee: String? = nil) async throws -> AsanaTask {
        let vendorOption = try #require(try await optionsOf("vendor").first { $0.name == vendor }?.gid)
        var values: [String: CustomFieldInput] = [try #require(fields["vendor"]): .enumOption(vendorOption), try #require(fields["amount"]): .number(amount),
                                                  try #require(fields["post_status"]): .enumOption(try #require(options["post"]))]
        if let due { values[try #require(fields["due_date"])] = .date(due) }
        return try await asana.createTask(TaskDraft(name: name, projects: [projects[project]], assignee: assignee, customFields: values), key: name, keyField: nil,
                                          previousAttemptUncertain: false)
    }

    /// The bills this integration posted.
    func ourBills() async throws -> [Bill] {
        try await qbo.bills().collect().filter { $0.DocNumber?.hasPrefix("ASN") == true }
    }

    /// The bill posted for a task.
    func bill(of task: AsanaTask) async throws -> Bill {
        try #require(try await ourBills().first { $0.PrivateNote?.contains(task.gid) == true })
    }

    /// Polls every feed of the integration now, until `condition` holds. A vendor that refuses
    /// the test's own reads for a moment (the servers under test share its rate limit) is a
    /// "not yet", not a failure: the deadline still bounds the wait.
    func pollUntil(_ what: String, seconds: Int = 30, _ condition: () async throws -> Bool) async throws {
        try await eventually(what, timeout: .seconds(seconds), interval: .milliseconds(150), diagnostics: {
            try await store.auditEntries(AuditFilter(limit: 10)).map { "\($0.action) \($0.outcome) \($0.error ?? "")" }.joined(separator: "; ")
        }) {
            do {
                if try await condition() { return true }
            } catch ConnectorError.rateLimited, ConnectorError.transient {
                return false
            }
            try await IntegrationRegistry().runNow(try #require(try await store.integration(id: Self.name)), context: context)
            engine?.pool.nudge()
            return false
        }
    }

    /// Waits until no job is due or running.
    func idle() async throws {
        try await eventually("an idle queue", timeout: .seconds(30)) {
            let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(2) }
            let running = try await store.jobCounts()[.running, default: 0]
            return due.isEmpty && running == 0
        }
    }

    func stop() async {
        await engine?.stop()
        await qboServer.stop()
        await asanaServer.stop()
        await store.close()
    }
}
