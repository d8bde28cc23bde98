import Acumatica
import Asana
import ConnectorKit
import Flows
import Foundation
import Sandbox
import Store
import TestSupport

/// Both sandboxes' connections, the approval fields and two projects in Asana, the push
/// destination registered as `connection webhook` does, and the YAML of the integration: the
/// setting of the Acumatica ↔ Asana end-to-end test and crash campaign.
struct SiteWorld {
    let store: SQLStore
    let pipeline: HTTPPipeline
    let acuSandbox: AcumaticaSandbox
    let acuConnection: Connection
    let asanaSandbox: AsanaSandbox
    let asanaConnection: Connection
    /// Field GIDs by role: amount, due, vendor, reference, status, link, approval (an enum)
    /// and approved (its option).
    let fields: [String: String]
    /// The head office's project (bills route here by branch) and the default one.
    let projects: [String]
    let pushSubscription: String

    var asana: AsanaClient { AsanaClient(pipeline: pipeline, connection: asanaConnection) }

    static func prepare(store: SQLStore, acumatica: (AcumaticaSandbox, SandboxServer), asana: (AsanaSandbox, SandboxServer), rateLimit: String = "2000/1s") async throws -> SiteWorld {
        let (acuSandbox, acuServer) = acumatica
        let (asanaSandbox, asanaServer) = asana
        let configuration = acuSandbox.configuration
        var acuConnection = Connection(id: "acu-site", system: .acumatica, baseURLs: ["api": acuServer.baseURL], accountRef: configuration.tenant,
                                       settings: [SettingKey.acumaticaTenant.rawValue: configuration.tenant, SettingKey.acumaticaBranch.rawValue: configuration.branch,
                                                  SettingKey.rateLimit.rawValue: rateLimit, SettingKey.endpointVersion.rawValue: configuration.endpointVersion])
        acuConnection[setting: .authStyle] = AuthStyle.session
        try await store.addConnection(acuConnection, credential: Credential(kind: .session, username: configuration.username, password: configuration.password))
        let asanaConnection = Connection(id: "asana-site", system: .asana, baseURLs: ["api": asanaServer.baseURL + AsanaSandbox.prefix, "auth": asanaServer.baseURL],
                                         settings: ["workspace_gid": asanaSandbox.workspaceGID, "auth": "pat", "rate_limit": rateLimit])
        try await store.addConnection(asanaConnection, credential: Credential(kind: .apiToken, accessToken: asanaSandbox.personalAccessToken))
        let pipeline = HTTPPipeline(credentials: store)
        var fields = ["amount": asanaSandbox.createCustomField(name: "Amount", subtype: "number", precision: 2).gid,
                      "due": asanaSandbox.createCustomField(name: "Due date", subtype: "date").gid,
                      "vendor": asanaSandbox.createCustomField(name: "Vendor", subtype: "enum").gid,
                      "reference": asanaSandbox.createCustomField(name: "Reference", subtype: "text").gid,
                      "status": asanaSandbox.createCustomField(name: "Document status", subtype: "text").gid,
                      "link": asanaSandbox.createCustomField(name: "Acumatica link", subtype: "text").gid]
        let approval = asanaSandbox.createCustomField(name: "Approval", subtype: "enum", options: ["approved", "rejected"])
        fields["approval"] = approval.gid
        fields["approved"] = approval.options["approved"]
        let client = AsanaClient(pipeline: pipeline, connection: asanaConnection)
        var projects: [String] = []
        for name in ["Head office bills", "Other approvals"] {
            let project = try await client.createProject(ProjectDraft(name: name, team: asanaSandbox.teamGID))
            for (role, gid) in fields where role != "approved" { asanaSandbox.attach(field: gid, to: project.gid) }
            projects.append(project.gid)
        }
        let push = WebhookSubscription(tenant: acuConnection.tenant, system: .acumatica, connectionID: acuConnection.id, resource: "portal", status: .active)
        try await store.saveSubscription(push, secret: configuration.pushSecret)
        return SiteWorld(store: store, pipeline: pipeline, acuSandbox: acuSandbox, acuConnection: acuConnection, asanaSandbox: asanaSandbox, asanaConnection: asanaConnection,
                         fields: fields, projects: projects, pushSubscription: push.id)
    }

    /// Pushes go to the server at `baseURL`, with the shared secret or `secret` instead.
    func pushTo(_ baseURL: String, secret: String? = nil) {
        acuSandbox.configurePush(url: baseURL + "/webhooks/acumatica/\(pushSubscription)", headerValue: secret)
    }

    /// The integration's YAML.
    func yaml(name: String = "site", roster: String = "enforce") -> String {
        """
        name: \(name)
        kind: acumatica-asana
        connections: { acumatica: \(acuConnection.id), asana: \(asanaConnection.id) }
        schedule: { poll: 30s }
        acumatica: { endpoint_version: "\(acuSandbox.configuration.endpointVersion)" }
        asana:
          workspace: "\(asanaSandbox.workspaceGID)"
          team: "\(asanaSandbox.teamGID)"
          routing: { branches: { HEADOFFICE: "\(projects[0])" }, default: "\(projects[1])" }
          fields: { amount: "\(fields["amount"]!)", due_date: "\(fields["due"]!)", vendor: "\(fields["vendor"]!)", reference: "\(fields["reference"]!)", status: "\(fields["status"]!)", link: "\(fields["link"]!)" }
          approval: { field: "\(fields["approval"]!)", approved: "\(fields["approved"]!)" }
        roster: \(roster)
        """
    }

    /// Every task of both projects.
    func tasks() async throws -> [AsanaTask] {
        var all: [AsanaTask] = []
        for project in projects { all += try await asana.tasks(project: project).collect() }
        return all
    }

    /// The task of document `number`.
    func task(_ number: String) async throws -> AsanaTask? {
        try await tasks().first { reference($0) == number }
    }

    /// The document number a task carries.
    func reference(_ task: AsanaTask) -> String? {
        task.value(of: fields["reference"]!)?.text_value
    }

    /// The text of a task's status field.
    func status(_ task: AsanaTask?) -> String? {
        task?.value(of: fields["status"]!)?.text_value
    }

    /// Runs `work` with a signed-in Acumatica client, signing out afterwards; while the
    /// licence's seats are all taken (by the server's workers), the sign-in is tried again.
    func erp<Value: Sendable>(_ work: (AcumaticaClient) async throws -> Value) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                return try await AcumaticaClient.withSession(pipeline: pipeline, connection: acuConnection, work)
            } catch ConnectorError.transient(let message) where message.contains("API Login Limit") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Changes bill `number` as a clerk does on AP301000: only the fields `edit` sets are sent.
    func changeBill(_ number: String, _ edit: (inout Bill) -> Void) async throws {
        var change = Bill()
        change.`Type` = StringValue("Bill")
        change.ReferenceNbr = StringValue(number)
        edit(&change)
        let sent = change
        _ = try await erp { try await $0.put("Bill", sent, intent: .updateOnly) }
    }

    /// What must hold once everything settled, whatever happened on the way: one task per
    /// document, one option per vendor, at most one outcome comment per approval, and no
    /// released bill refused afterwards (a second release).
    func duplicates() async throws -> [String] {
        var found: [String] = []
        let all = try await tasks()
        let links = all.compactMap { $0.value(of: fields["link"]!)?.text_value }
        if links.count != Set(links).count { found.append("tasks: \(links.sorted())") }
        let options = try await asana.customField(gid: fields["vendor"]!).enum_options?.map(\.name) ?? []
        if options.count != Set(options).count { found.append("vendor options: \(options.sorted())") }
        for task in all {
            let comments = try await asana.stories(task: task.gid).collect().compactMap(\.text)
            if comments.count != Set(comments).count { found.append("comments on \(task.name): \(comments)") }
            if let released = comments.firstIndex(where: { $0.hasPrefix("Released") }), let refused = comments.lastIndex(where: { $0.contains("failed in Acumatica") }), released < refused {
                found.append("released and then refused: \(task.name): \(comments)")
            }
        }
        return found
    }
}
