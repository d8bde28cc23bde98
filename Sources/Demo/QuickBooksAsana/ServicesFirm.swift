import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Sandbox
import Store

/// The QuickBooks Online ↔ Asana demo: a services firm. Five QuickBooks vendors appear as
/// options, two projects post their costs on their class and department, a memo edited in
/// QuickBooks survives our amount update, and a bill paid there shows "paid" on its task.
public struct ServicesFirm: DemoPlay {
    /// Creates the play.
    public init() {}

    /// The integration's name, the key of its section in the summary.
    static let name = "services-costs"

    public var title: String { "QuickBooks Online ↔ Asana: a services firm's costs" }

    public func play(in environment: DemoEnvironment) async throws -> [DemoReport] {
        let say = environment.say
        let qboSandbox = try environment.sandboxes.sandbox(QuickBooksDemoSandbox.self)
        let asanaSandbox = try environment.sandboxes.sandbox(AsanaDemoSandbox.self).sandbox
        let store = environment.store
        let pipeline = HTTPPipeline(credentials: store)
        let qboConnection = try await environment.connect(qboSandbox, id: "qbo-firm")
        let qbo = QuickBooksClient(pipeline: pipeline, connection: qboConnection)
        let asana = AsanaClient(pipeline: pipeline, connection: try await environment.connect(try environment.sandboxes.sandbox(AsanaDemoSandbox.self), id: "asana-services"))
        // QuickBooks webhooks are set up in Intuit's portal: what `connection webhook` records, and the portal's side.
        let subscription = WebhookSubscription(tenant: qboConnection.tenant, system: .quickbooks, connectionID: qboConnection.id, resource: "portal", status: .active)
        try await store.saveSubscription(subscription, secret: qboSandbox.sandbox.configuration.verifierToken)
        qboSandbox.sandbox.addWebhookEndpoint(url: "\(environment.serverURL)/webhooks/quickbooks/\(subscription.id)")
        say("connections qbo-firm and asana-services added; the QuickBooks webhook endpoint registered as its portal would")

        for (name, email) in [("Northwind Staffing", "ap@northwind.test"), ("Summit IT Services", "billing@summit-it.test"), ("Harbor Legal LLP", "accounts@harbor-legal.test")] {
            _ = try await qbo.createVendor(NameDraft(displayName: name, companyName: name, email: email), requestID: "demo-vendor-\(name.prefix(8))")
        }
        let fields = ServicesFirmFields(asanaSandbox)
        var projects: [Asana.Project] = []
        for name in ["Brand studio", "Platform build"] {
            let project = try await asana.createProject(ProjectDraft(name: name, workspace: asanaSandbox.workspaceGID))
            for field in fields.all { asanaSandbox.attach(field: field, to: project.gid) }
            projects.append(project)
        }
        let yaml = fields.yaml(name: Self.name, quickbooks: qboConnection.id, asana: asana.connection.id, workspace: asanaSandbox.workspaceGID,
                               projects: [(projects[0].gid, "Design", "North Office"), (projects[1].gid, "Engineering", "South Office")], account: try await Self.account("Contractors", qbo))
        let applied = try await IntegrationRegistry().apply(yaml: yaml, context: environment.integrationContext)
        say("integration \(Self.name) applied: \(applied.resolved.filter { $0.hasPrefix("project") && $0.contains("class") }.joined(separator: ", "))")

        try await environment.waitUntil("webhooks on both projects") {
            let subscriptions = try await store.subscriptions(connectionID: asana.connection.id)
            return subscriptions.count == 2 && subscriptions.allSatisfy { $0.status == .active }
        }
        try await environment.waitUntil("five vendor options") { try await Self.options(asana, fields.vendor).count == 5 }
        say("5 QuickBooks vendors are options of the Vendor field")

        let options = try await Self.options(asana, fields.vendor)
        let costs: [(project: Int, name: String, vendor: String, amount: String)] = [(0, "Studio rent, December", "Pacific Office Space", "2400.00"),
                                                                                      (0, "Freelance illustrator", "Jordan Freelance", "1037.50"),
                                                                                      (1, "Contract developers", "Northwind Staffing", "8800.00"),
                                                                                      (1, "Cloud and IT support", "Summit IT Services", "1299.99")]
        var tasks: [AsanaTask] = []
        for (index, cost) in costs.enumerated() {
            let vendor = try Self.required(options[cost.vendor], "an option for \(cost.vendor)")
            tasks.append(try await asana.createTask(TaskDraft(name: cost.name, projects: [projects[cost.project].gid],
                                                              customFields: [fields.vendor: .enumOption(vendor), fields.amount: .number(try Money.decimal(parsing: cost.amount, field: "amount")),
                                                                             fields.dueDate: .date("2026-12-\(15 + index)"), fields.postStatus: .enumOption(fields.post)]),
                                                    key: "firm-cost-\(index)", keyField: nil, previousAttemptUncertain: false))
        }
        try await environment.waitUntil("four bills") { try await Self.ourBills(qbo).count == 4 }
        let bills = try await Self.ourBills(qbo)
        let classes = Dictionary(try await qbo.classes().collect().map { ($0.Id, $0.Name ?? "") }, uniquingKeysWith: { first, _ in first })
        let departments = Dictionary(try await qbo.departments().collect().map { ($0.Id, $0.Name ?? "") }, uniquingKeysWith: { first, _ in first })
        let classed = bills.filter { bill in
            let pair = (bill.Line.first?.AccountBasedExpenseLineDetail?.ClassRef.flatMap { classes[$0.value] }, bill.DepartmentRef.flatMap { departments[$0.value] })
            return (pair.0 == "Design" && pair.1 == "North Office") || (pair.0 == "Engineering" && pair.1 == "South Office")
        }
        say("4 bill tasks posted 4 QuickBooks bills, \(classed.count) with their project's ClassRef and DepartmentRef")

        // A bookkeeper edits the memo in QuickBooks while the amount changes in Asana.
        let edited = try Self.required(bills.first { $0.PrivateNote?.contains(tasks[2].gid) == true }, "the bill of \(tasks[2].name)")
        let memo = (edited.PrivateNote ?? "") + " · approved by Dana"
        struct Memo: Encodable, Sendable { var PrivateNote: String }
        let changedTask = tasks[2].gid
        async let note = qbo.update(.bill, id: edited.Id ?? "", change: Memo(PrivateNote: memo), requestID: "demo-memo", as: Bill.self)
        async let amount = asana.updateTask(gid: changedTask, TaskDraft(customFields: [fields.amount: .number(9350)]))
        _ = try await (note, amount)
        try await environment.waitUntil("the amount on the bill") {
            let bill = try await qbo.bill(id: edited.Id ?? "")
            return bill.TotalAmt == 9350 && bill.PrivateNote == memo
        }
        say("the amount update reached the bill and the memo edited in QuickBooks survived")

        let paid = try Self.required(bills.first { $0.PrivateNote?.contains(tasks[0].gid) == true }, "the bill of \(tasks[0].name)")
        _ = try await qbo.createBillPayment(BillPayment(vendor: paid.VendorRef.value, bill: paid.Id ?? "", amount: paid.Balance ?? 0, bankAccount: try await Self.account("Checking", qbo)),
                                           requestID: "demo-pay-\(paid.Id ?? "")")
        try await environment.waitUntil("'paid' on the task") {
            try await asana.task(gid: tasks[0].gid).value(of: fields.billStatus)?.enum_value?.gid == fields.status["paid"]
        }
        say("bill \(paid.DocNumber ?? "") paid in QuickBooks; 'paid' is on its Asana task")
        try await environment.waitForIdleQueue()

        var allTasks: [AsanaTask] = []
        for project in projects { allTasks += try await asana.tasks(project: project.gid).collect() }
        let finalBills = try await Self.ourBills(qbo)
        let vendorOptions = try await asana.customField(gid: fields.vendor).enum_options ?? []
        let jobs = try await store.jobs(state: nil, integrationID: Self.name, limit: 10_000)
        let figureWrites = try await store.links(integrationID: Self.name).filter { $0.source.system == .quickbooks && $0.target.type == AsanaRecord.task.rawValue }.count
        let duplicates = (finalBills.count - Set(finalBills.compactMap(\.DocNumber)).count) + (vendorOptions.count - Set(vendorOptions.map(\.name)).count)
            + (allTasks.count - Set(allTasks.map(\.name)).count)
        return [DemoReport(integration: Self.name,
                           records: [(.quickbooks, "QuickBooks", ["vendors": try await qbo.vendors().collect().count, "bills_posted": finalBills.count, "bills_paid": finalBills.filter { $0.Balance == 0 }.count]),
                                     (.asana, "Asana", ["vendor_options": vendorOptions.count, "projects": projects.count, "tasks": allTasks.count, "tasks_with_figures": figureWrites])],
                           triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count), duplicates: duplicates)]
    }

    /// A QuickBooks account's id by name.
    static func account(_ name: String, _ qbo: QuickBooksClient) async throws -> String {
        try required(try await qbo.accounts().collect().first { $0.Name == name }?.Id, "the \(name) account")
    }

    /// The enabled options of an enum field, by name.
    static func options(_ asana: AsanaClient, _ field: String) async throws -> [String: String] {
        Dictionary((try await asana.customField(gid: field).enum_options ?? []).filter { $0.enabled != false }.map { ($0.name, $0.gid) }, uniquingKeysWith: { first, _ in first })
    }

    /// The bills this integration posted (its document numbers).
    static func ourBills(_ qbo: QuickBooksClient) async throws -> [Bill] {
        try await qbo.bills().collect().filter { $0.DocNumber?.hasPrefix("ASN") == true }
    }

    static func required<Value>(_ value: Value?, _ what: String) throws -> Value {
        guard let value else { throw ConnectorError.permanent("the demo expected \(what) and found none") }
        return value
    }
}

/// The Asana custom fields of the services-firm scenario and the YAML that maps them.
struct ServicesFirmFields {
    let vendor: String
    let amount: String
    let dueDate: String
    let postStatus: String
    let post: String
    let posted: String
    let balance: String
    let billStatus: String
    let status: [String: String]
    let terms: String
    let email: String

    init(_ sandbox: AsanaSandbox) {
        vendor = sandbox.createCustomField(name: "Vendor", subtype: "enum").gid
        amount = sandbox.createCustomField(name: "Cost amount", subtype: "number", precision: 2).gid
        dueDate = sandbox.createCustomField(name: "Due date", subtype: "date").gid
        let postField = sandbox.createCustomField(name: "Post to QuickBooks", subtype: "enum", options: ["post", "posted"])
        postStatus = postField.gid
        post = postField.options["post"] ?? ""
        posted = postField.options["posted"] ?? ""
        balance = sandbox.createCustomField(name: "Open balance", subtype: "number", precision: 2).gid
        let statusField = sandbox.createCustomField(name: "Bill status", subtype: "enum", options: QuickBooksAsanaConfig.billStatuses)
        billStatus = statusField.gid
        status = statusField.options
        terms = sandbox.createCustomField(name: "Vendor terms", subtype: "text").gid
        email = sandbox.createCustomField(name: "Vendor email", subtype: "text").gid
    }

    var all: [String] { [vendor, amount, dueDate, postStatus, balance, billStatus, terms, email] }

    /// The integration's YAML, projects mapped to (class, department) by name.
    func yaml(name: String, quickbooks: String, asana: String, workspace: String, projects: [(gid: String, class: String, department: String)], account: String) -> String {
        """
        name: \(name)
        kind: quickbooks-asana
        connections: { quickbooks: \(quickbooks), asana: \(asana) }
        schedule: { poll: 1m }
        asana:
          workspace: "\(workspace)"
          projects: [\(projects.map { "\"\($0.gid)\"" }.joined(separator: ", "))]
          fields:
            vendor: "\(vendor)"
            amount: "\(amount)"
            due_date: "\(dueDate)"
            post_status: { field: "\(postStatus)", options: { post: "\(post)", posted: "\(posted)" } }
            balance: "\(balance)"
            bill_status: { field: "\(billStatus)", options: { \(QuickBooksAsanaConfig.billStatuses.map { "\"\($0)\": \"\(status[$0] ?? "")\"" }.joined(separator: ", ")) } }
            vendor_terms: "\(terms)"
            vendor_email: "\(email)"
        quickbooks:
          post_as: bill
          default_expense_account: "\(account)"
          currency: USD
          projects: { \(projects.map { "\"\($0.gid)\": { class: \($0.class), department: \($0.department) }" }.joined(separator: ", ")) }
        """
    }
}
