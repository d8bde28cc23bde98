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
        // Outcomes are checked in the sandboxes' own records: a check is not an API call the integration made.
        let ledger = CallLedger { CallLedger.routes([(.freshbooks, fbSandbox.sandbox.requestCounts), (.asana, asanaSandbox.sandbox.requestCounts)]) }

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
        let applied = try await ledger.setUp { try await registry.apply(yaml: yaml, context: environment.integrationContext) }
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
            let project = try await ledger.asPerson(.asana) { try await asana.createProject(ProjectDraft(name: name, team: asanaSandbox.sandbox.teamGID, dueOn: "2026-12-31")) }
            asanaSandbox.sandbox.attach(field: amount.gid, to: project.gid)
            asanaSandbox.sandbox.attach(field: status.gid, to: project.gid)
            projects.append(project)
        }
        try await environment.waitUntil("three FreshBooks projects") { fbSandbox.sandbox.inventory.projectTitles.count == 3 }
        say("3 Asana projects became 3 FreshBooks clients and projects")
        // The projects are linked now: applying again schedules their polls and webhooks, as an operator's re-apply would.
        try await environment.waitForIdleQueue()
        _ = try await ledger.setUp { try await registry.apply(yaml: yaml, context: environment.integrationContext) }
        try await environment.waitUntil("project webhooks") { try await store.subscriptions(connectionID: asana.connection.id).count == 4 }

        for (project, engagement) in zip(projects, engagements) {
            for (index, (task, value)) in engagement.1.sorted(by: { $0.key < $1.key }).enumerated() {
                let created = try await ledger.asPerson(.asana) {
                    try await asana.createTask(TaskDraft(name: task, projects: [project.gid], assignee: "blake@sandbox-agency.test", customFields: [amount.gid: .number(Decimal(string: value)!)]),
                                               key: "demo-\(project.gid)-\(index)", keyField: nil, previousAttemptUncertain: false)
                }
                if index < 2 { _ = try await ledger.asPerson(.asana) { try await asana.completeTask(gid: created.gid) } }
            }
        }
        say("7 tasks with billable amounts, 6 completed")
        try await environment.waitUntil("three draft invoices with six lines") {
            let inventory = fbSandbox.sandbox.inventory
            return inventory.invoiceNumbers.count == 3 && inventory.invoiceLines == 6
        }
        say("3 draft FreshBooks invoices, one per project and month, 6 lines")

        // The owner opens the Acme invoice (its lines name Acme's tasks) and sends it; the client pays it.
        let acmeTasks = asanaSandbox.sandbox.heldTasks(project: projects[0].gid).map { "Asana task \($0.gid)" }
        guard let acme = fbSandbox.sandbox.inventory.invoices.first(where: { $0.lineDescriptions.contains { line in acmeTasks.contains { line.contains($0) } } }) else {
            throw ConnectorError.permanent("the demo expected an invoice for \(projects[0].name) and found none")
        }
        _ = try await ledger.asPerson(.freshbooks) { try await fb.markInvoiceSent(id: acme.id) }
        fbSandbox.sandbox.recordPayment(invoiceID: acme.id, amount: acme.amount)
        try await environment.waitUntil("the payment on the Asana tasks") {
            asanaSandbox.sandbox.heldTasks(project: projects[0].gid).filter(\.completed).allSatisfy { $0.values[status.gid]?.text == status.options["paid"] }
        }
        say("invoice \(acme.number) sent and paid; 'paid' is on its Asana tasks")
        try await environment.waitForIdleQueue()
        var report = try await report(fb: fbSandbox.sandbox.inventory, asana: projects.map { asanaSandbox.sandbox.heldTasks(project: $0.gid) }, store: store)
        report.callPurposes = ledger.purposes()
        report.apiCalls = report.callPurposes.mapValues { $0.values.reduce(0, +) }
        return [report]
    }

    private func report(fb: FreshBooksSandbox.Inventory, asana tasksByProject: [[AsanaSandbox.HeldTask]], store: SQLStore) async throws -> DemoReport {
        let asanaTasks = tasksByProject.flatMap { $0 }
        let jobs = try await store.jobs(state: nil, integrationID: "agency-billing", limit: 10_000)
        let lines = fb.invoices.flatMap(\.lineDescriptions)
        let duplicates = [fb.clientOrganizations, fb.projectTitles, fb.invoiceNumbers, lines, asanaTasks.map(\.name)].reduce(0) { $0 + $1.count - Set($1).count }
        let statusWrites = try await store.links(integrationID: "agency-billing").filter { $0.source.system == .freshbooks && $0.target.type == AsanaRecord.task.rawValue }.count
        return DemoReport(integration: "agency-billing",
                          records: [(.freshbooks, "FreshBooks created", ["clients": fb.clientOrganizations.count, "projects": fb.projectTitles.count, "invoices": fb.invoiceNumbers.count, "invoice_lines": lines.count]),
                                    (.asana, "Asana", ["projects": tasksByProject.count, "tasks": asanaTasks.count, "status_updates": statusWrites])],
                          triggers: Dictionary(grouping: jobs, by: { $0.source.rawValue }).mapValues(\.count), duplicates: duplicates)
    }
}
