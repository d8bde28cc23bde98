import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store

/// The FreshBooks ↔ Asana demo: an agency's week. Three client engagements in Asana, billable
/// work completed, an invoice sent and paid — all through the vendors' APIs, as people would.
public struct AgencyWeek: DemoPlay {
    /// Creates the play.
    public init() {}

    public var title: String { "FreshBooks ↔ Asana: an agency's week" }

    public func play(in environment: DemoEnvironment) async throws -> [DemoReport] {
        let say = environment.say
        let fbSandbox = try environment.sandboxes.sandbox(FreshBooksDemoSandbox.self)
        let asanaSandbox = try environment.sandboxes.sandbox(AsanaDemoSandbox.self)
        let store = environment.store
        let pipeline = HTTPPipeline(credentials: store)
        let fb = FreshBooksClient(pipeline: pipeline, connection: try await environment.connect(fbSandbox, id: "fb-agency"))
        let asana = AsanaClient(pipeline: pipeline, connection: try await environment.connect(asanaSandbox, id: "asana-agency"))
        say("connections fb-agency and asana-agency added")

        let amount = asanaSandbox.sandbox.createCustomField(name: "Billable amount", subtype: "number", precision: 2)
        let status = asanaSandbox.sandbox.createCustomField(name: "Billing status", subtype: "enum", options: FreshBooksAsanaConfig.statuses)
        let yaml = """
        name: agency-billing
        kind: freshbooks-asana
        connections: { freshbooks: fb-agency, asana: asana-agency }
        schedule: { poll: 1m }
        asana:
          workspace: "\(asanaSandbox.sandbox.workspaceGID)"
          team: "\(asanaSandbox.sandbox.teamGID)"
          fields:
            billable_amount: "\(amount.gid)"
            billing_status:
              field: "\(status.gid)"
              options: { \(FreshBooksAsanaConfig.statuses.map { "\($0): \"\(status.options[$0]!)\"" }.joined(separator: ", ")) }
        freshbooks:
          invoice: { group: per-project-month, number_prefix: "AGY-", currency: USD, mark_sent: false, due_offset_days: 30 }
        """
        let registry = IntegrationRegistry()
        let applied = try await registry.apply(yaml: yaml, context: environment.integrationContext)
        say("integration agency-billing applied: \(applied.resolved.filter { $0.hasPrefix("field") }.joined(separator: ", ")) checked by GID")

        try await environment.waitUntil("webhooks on both sides") {
            let subscriptions = try await store.subscriptions(connectionID: nil)
            return subscriptions.count >= 4 && subscriptions.allSatisfy { $0.status == .active }
        }
        say("webhooks registered and verified (FreshBooks callbacks, Asana workspace webhook)")

        let engagements = [("Acme Corp: Website relaunch", ["Discovery workshop": "1800.00", "Homepage design": "2450.50", "Launch support": "600.00"]),
                           ("Globex: Brand refresh", ["Logo concepts": "3200.00", "Style guide": "1500.25"]),
                           ("Initech: Intranet app", ["Prototype": "4100.00", "Usability test": "980.10"])]
        var projects: [Asana.Project] = []
        for (name, _) in engagements {
            let project = try await asana.createProject(ProjectDraft(name: name, team: asanaSandbox.sandbox.teamGID, dueOn: "2026-12-31"))
            asanaSandbox.sandbox.attach(field: amount.gid, to: project.gid)
            asanaSandbox.sandbox.attach(field: status.gid, to: project.gid)
            projects.append(project)
        }
        try await environment.waitUntil("three FreshBooks projects") { try await fb.projects().collect().count == 3 }
        say("3 Asana projects became 3 FreshBooks clients and projects")
        // The projects are linked now: applying again schedules their polls and webhooks, as an operator's re-apply would.
        _ = try await registry.apply(yaml: yaml, context: environment.integrationContext)
        try await environment.waitUntil("project webhooks") { try await store.subscriptions(connectionID: asana.connection.id).count == 4 }

        for (project, engagement) in zip(projects, engagements) {
            for (index, (task, value)) in engagement.1.sorted(by: { $0.key < $1.key }).enumerated() {
                let created = try await asana.createTask(TaskDraft(name: task, projects: [project.gid], assignee: "blake@sandbox-agency.test",
                                                                   customFields: [amount.gid: .number(Decimal(string: value)!)]),
                                                         key: "demo-\(project.gid)-\(index)", keyField: nil, previousAttemptUncertain: false)
                if index < 2 { _ = try await asana.completeTask(gid: created.gid) }
            }
        }
        say("7 tasks with billable amounts, 6 completed")
        try await environment.waitUntil("three draft invoices with six lines") {
            let invoices = try await fb.invoices(lines: true).collect()
            return invoices.count == 3 && invoices.reduce(0) { $0 + ($1.lines?.count ?? 0) } == 6
        }
        say("3 draft FreshBooks invoices, one per project and month, 6 lines")

        guard let acme = try await fb.invoices().collect().sorted(by: { $0.id < $1.id }).first else { throw ConnectorError.permanent("the demo expected an invoice and found none") }
        _ = try await fb.markInvoiceSent(id: acme.id)
        fbSandbox.sandbox.recordPayment(invoiceID: acme.id, amount: Money.string(acme.amount?.amount ?? 0))
        try await environment.waitUntil("the payment on the Asana tasks") {
            let tasks = try await asana.tasks(project: projects[0].gid).collect()
            return tasks.filter(\.completed).allSatisfy { $0.value(of: status.gid)?.enum_value?.gid == status.options["paid"] }
        }
        say("invoice \(acme.invoiceNumber) sent and paid; 'paid' is on its Asana tasks")
        try await environment.waitForIdleQueue()
        return [try await report(fb: fb, asana: asana, projects: projects, store: store)]
    }

    private func report(fb: FreshBooksClient, asana: AsanaClient, projects: [Asana.Project], store: SQLStore) async throws -> DemoReport {
        let clients = try await fb.clients().collect()
        let fbProjects = try await fb.projects().collect()
        let invoices = try await fb.invoices(lines: true).collect()
        var asanaTasks: [AsanaTask] = []
        for project in projects { asanaTasks += try await asana.tasks(project: project.gid).collect() }
        let jobs = try await store.jobs(state: nil, integrationID: "agency-billing", limit: 10_000)
        let lines = invoices.flatMap { $0.lines ?? [] }
        let duplicates = (clients.count - Set(clients.compactMap(\.organization)).count) + (fbProjects.count - Set(fbProjects.map(\.title)).count)
            + (invoices.count - Set(invoices.map(\.invoiceNumber)).count) + (lines.count - Set(lines.compactMap(\.description)).count)
            + (asanaTasks.count - Set(asanaTasks.map(\.name)).count)
        let statusWrites = try await store.links(integrationID: "agency-billing").filter { $0.source.system == .freshbooks && $0.target.type == AsanaRecord.task.rawValue }.count
        return DemoReport(integration: "agency-billing", records: [(.freshbooks, "FreshBooks created", ["clients": clients.count, "projects": fbProjects.count, "invoices": invoices.count, "invoice_lines": lines.count]),
                                                                 (.asana, "Asana", ["projects": projects.count, "tasks": asanaTasks.count, "status_updates": statusWrites])],
                          triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count), duplicates: duplicates)
    }
}
