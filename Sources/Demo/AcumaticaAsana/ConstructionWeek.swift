import Acumatica
import Asana
import ConnectorKit
import Flows
import Foundation
import Sandbox
import Store

/// The Acumatica ↔ Asana demo: a construction firm's week. Subcontractor bills and a purchase
/// order entered in Acumatica become Asana approval tasks; completing them releases the bills,
/// a bill on hold is refused and says so on its task, a lost push is filled in by the poll, and
/// the team follows the employees.
public struct ConstructionWeek: DemoPlay {
    /// Creates the play.
    public init() {}

    /// The integration's name, the key of its section in the summary.
    public static let integration = "site-approvals"

    public var title: String { "Acumatica ↔ Asana: a construction firm's approvals" }

    public func play(in environment: DemoEnvironment) async throws -> [DemoReport] {
        let say = environment.say
        let acuSandbox = try environment.sandboxes.sandbox(AcumaticaDemoSandbox.self)
        let asanaSandbox = try environment.sandboxes.sandbox(AsanaDemoSandbox.self)
        let store = environment.store
        let pipeline = HTTPPipeline(credentials: store)
        let acuConnection = try await environment.connect(acuSandbox, id: "acu-firm")
        let asana = AsanaClient(pipeline: pipeline, connection: try await environment.connect(asanaSandbox, id: "asana-firm"))
        func erp<Value: Sendable>(_ work: (AcumaticaClient) async throws -> Value) async throws -> Value {
            try await AcumaticaClient.withSession(pipeline: pipeline, connection: acuConnection, work)
        }
        // The push destination, as an administrator sets it on SM302000 and `connection webhook` registers it.
        let push = WebhookSubscription(tenant: acuConnection.tenant, system: .acumatica, connectionID: acuConnection.id, resource: "portal", status: .active)
        try await store.saveSubscription(push, secret: acuSandbox.sandbox.configuration.pushSecret)
        acuSandbox.sandbox.configurePush(url: environment.serverURL + "/webhooks/acumatica/\(push.id)")
        say("connections acu-firm and asana-firm added; Acumatica pushes bills and orders to the server")

        let sandbox = asanaSandbox.sandbox
        let fields = ["Amount": sandbox.createCustomField(name: "Amount", subtype: "number", precision: 2).gid,
                      "Due": sandbox.createCustomField(name: "Due date", subtype: "date").gid,
                      "Vendor": sandbox.createCustomField(name: "Vendor", subtype: "enum").gid,
                      "Reference": sandbox.createCustomField(name: "Reference", subtype: "text").gid,
                      "Status": sandbox.createCustomField(name: "Document status", subtype: "text").gid,
                      "Link": sandbox.createCustomField(name: "Acumatica link", subtype: "text").gid]
        var projects: [String] = []
        for name in ["Head office: subcontractor bills", "Other approvals"] {
            // Outside the team: the agency's integration turns the team's new projects into clients.
            let project = try await asana.createProject(ProjectDraft(name: name))
            for gid in fields.values { sandbox.attach(field: gid, to: project.gid) }
            projects.append(project.gid)
        }
        let yaml = """
        name: \(Self.integration)
        kind: acumatica-asana
        connections: { acumatica: acu-firm, asana: asana-firm }
        schedule: { poll: 1m }
        acumatica: { endpoint_version: "\(acuSandbox.sandbox.configuration.endpointVersion)" }
        asana:
          workspace: "\(sandbox.workspaceGID)"
          team: "\(sandbox.teamGID)"
          routing: { branches: { HEADOFFICE: "\(projects[0])" }, default: "\(projects[1])" }
          fields: { amount: "\(fields["Amount"]!)", due_date: "\(fields["Due"]!)", vendor: "\(fields["Vendor"]!)", reference: "\(fields["Reference"]!)", status: "\(fields["Status"]!)", link: "\(fields["Link"]!)" }
        roster: report
        """
        let registry = IntegrationRegistry()
        let applied = try await registry.apply(yaml: yaml, context: environment.integrationContext)
        say("integration \(Self.integration) applied: endpoint \(acuSandbox.sandbox.configuration.endpointVersion) checked, \(applied.resolved.filter { $0.hasPrefix("field") }.count) fields checked by GID")

        let routed = projects
        let tasks: @Sendable () async throws -> [AsanaTask] = {
            var all: [AsanaTask] = []
            for project in routed { all += try await asana.tasks(project: project).collect() }
            return all
        }
        let reference: @Sendable (AsanaTask) -> String? = { $0.value(of: fields["Reference"]!)?.text_value }
        let status: @Sendable (AsanaTask) -> String? = { $0.value(of: fields["Status"]!)?.text_value }
        try await environment.waitUntil("four approval tasks") { try await tasks().filter { $0.value(of: fields["Vendor"]!)?.enum_value != nil }.count == 4 }
        try await environment.waitUntil("Asana webhooks") { try await store.subscriptions(connectionID: asana.connection.id).filter { $0.status == .active }.count == 2 }
        say("3 subcontractor bills and 1 purchase order became 4 Asana tasks: vendor, reference, amount, status and link in custom fields")

        // The site manager approves the three bills by completing their tasks.
        let bills = try await erp { try await $0.bills().collect() }
        let numbers = Dictionary(bills.compactMap { bill in bill.VendorRef?.value.flatMap { ref in bill.ReferenceNbr?.value.map { (ref, $0) } } }, uniquingKeysWith: { first, _ in first })
        guard let held = numbers["PR-2002"], numbers.count == 3 else { throw ConnectorError.permanent("the demo expected the three seeded bills, found \(numbers.keys.sorted())") }
        for task in try await tasks() where bills.contains(where: { $0.ReferenceNbr?.value == reference(task) }) {
            _ = try await asana.completeTask(gid: task.gid)
        }
        try await environment.waitUntil("two released bills and one refusal") {
            let now = try await tasks()
            return now.filter { status($0) == "Open" }.count == 2 && now.contains { reference($0) == held && status($0) == AcumaticaAsanaMapping.releaseFailedStatus && !$0.completed }
        }
        say("2 tasks completed → 2 bills released in Acumatica; bill \(held) is on hold: its task says \"release failed\", quotes why, and is open again")

        // A push lost on the way: the clerk sets the held bill's due date, and the poll finds it.
        var drop = FaultPlan()
        drop.dropWebhooks = true
        acuSandbox.sandbox.setFaults(drop)
        _ = try await erp { client in
            var change = Bill()
            change.`Type` = StringValue("Bill")
            change.ReferenceNbr = StringValue(held)
            change.DueDate = DateTimeValue("2026-12-15")
            return try await client.put("Bill", change, intent: .updateOnly)
        }
        acuSandbox.sandbox.setFaults(FaultPlan())
        let record = try await store.integration(id: Self.integration)
        if let record { _ = try await registry.runNow(record, context: environment.integrationContext) }
        try await environment.waitUntil("the due date from the poll") {
            try await tasks().contains { reference($0) == held && $0.value(of: fields["Due"]!)?.date_value?.date == "2026-12-15" }
        }
        say("a push that was never delivered: the poll carried bill \(held)'s new due date to its task")

        // People: a coordinator is hired, and someone leaves.
        _ = try await erp { client in
            var hired = Employee()
            hired.EmployeeID = StringValue("EP00000003")
            hired.EmployeeName = StringValue("Casey Developer")
            hired.Status = StringValue("Active")
            hired.ContactInfo = EmployeeContact(email: "casey@sandbox-agency.test")
            _ = try await client.put("Employee", hired, intent: .insertOnly)
            var left = Employee()
            left.EmployeeID = StringValue("EP00000002")
            left.Status = StringValue("Inactive")
            return try await client.put("Employee", left, intent: .updateOnly)
        }
        if let record { _ = try await registry.runNow(record, context: environment.integrationContext) }
        try await environment.waitUntil("the new coordinator on the team") {
            try await asana.teamUsers(team: sandbox.teamGID).collect().contains { $0.email == "casey@sandbox-agency.test" }
        }
        try await environment.waitForIdleQueue()
        var details: [String: String] = [:]
        if let record { details = await AcumaticaAsanaIntegration().details(for: record, context: environment.integrationContext) }
        say("roster: casey@sandbox-agency.test added to the team; employees without an Asana user: \(details["employees without an Asana user"] ?? "?")")
        let finalBills = try await erp { try await $0.bills().collect() }
        return [try await report(tasks: try await tasks(), bills: finalBills, asana: asana, vendorField: fields["Vendor"]!, roster: details, store: store)]
    }

    private func report(tasks: [AsanaTask], bills: [Bill], asana: AsanaClient, vendorField: String, roster: [String: String], store: SQLStore) async throws -> DemoReport {
        let options = try await asana.customField(gid: vendorField).enum_options ?? []
        var comments = 0
        var outcomeComments: [String] = []
        for task in tasks {
            let stories = try await asana.stories(task: task.gid).collect().compactMap(\.text)
            comments += stories.count
            outcomeComments += stories.filter { $0.hasPrefix("Released in Acumatica") || $0.contains("failed in Acumatica") }
        }
        let links = tasks.compactMap { $0.custom_fields?.first { $0.name == "Acumatica link" }?.text_value }
        let duplicates = (links.count - Set(links).count) + (options.count - Set(options.map(\.name)).count) + (outcomeComments.count - Set(outcomeComments).count)
        let jobs = try await store.jobs(state: nil, integrationID: Self.integration, limit: 10_000)
        let withoutUser = roster["employees without an Asana user"].map { $0 == "none" ? 0 : $0.components(separatedBy: ", ").count } ?? 0
        return DemoReport(integration: Self.integration,
                          records: [(.acumatica, "Acumatica", ["bills_released": bills.filter { $0.Status?.value == "Open" }.count, "bills_on_hold": bills.filter { $0.Status?.value == "On Hold" }.count]),
                                    (.asana, "Asana", ["tasks": tasks.count, "vendor_options": options.count, "comments": comments,
                                                       "release_failed": tasks.filter { $0.custom_fields?.contains { $0.text_value == AcumaticaAsanaMapping.releaseFailedStatus } == true }.count,
                                                       "employees_without_user": withoutUser])],
                          triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count), duplicates: duplicates)
    }
}
