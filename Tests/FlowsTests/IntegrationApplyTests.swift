import Asana
import ConnectorKit
import Flows
import Foundation
import Sandbox
import Store
import TestSupport
import Testing

/// `apply` checks every reference against the live systems and names the bad one.
@Suite struct IntegrationApplyTests {
    struct Systems {
        let fb: FreshBooksFixture
        let asana: AsanaSandbox
        let asanaServer: SandboxServer
        let asanaConnection: Connection
        let amount: String
        let text: String
        let status: (gid: String, options: [String: String])

        func yaml(amount: String? = nil, status statusGID: String? = nil, paidOption: String? = nil, team: String? = nil, asanaConnectionID: String? = nil) -> String {
            var options = status.options
            if let paidOption { options["paid"] = paidOption }
            return """
            name: billing
            kind: freshbooks-asana
            connections: { freshbooks: \(fb.connection.id), asana: \(asanaConnectionID ?? asanaConnection.id) }
            asana:
              workspace: "\(asana.workspaceGID)"
              team: "\(team ?? asana.teamGID)"
              fields:
                billable_amount: "\(amount ?? self.amount)"
                billing_status:
                  field: "\(statusGID ?? status.gid)"
                  options: { \(FreshBooksAsanaConfig.statuses.map { "\($0): \"\(options[$0]!)\"" }.joined(separator: ", ")) }
            freshbooks:
              invoice: { group: per-task, number_prefix: "T-", currency: USD }
            """
        }

        func stop() async {
            await asanaServer.stop()
            await fb.stop()
        }
    }

    func systems() async throws -> Systems {
        let fb = try await FreshBooksFixture.start()
        let (asana, server) = try await AsanaSandbox.serve()
        let connection = try await asana.addPATConnection(id: "asana-apply", server: server, to: fb.store)
        let amount = asana.createCustomField(name: "Amount", subtype: "number", precision: 2).gid
        let text = asana.createCustomField(name: "Notes field", subtype: "text").gid
        let status = asana.createCustomField(name: "Status", subtype: "enum", options: FreshBooksAsanaConfig.statuses)
        return Systems(fb: fb, asana: asana, asanaServer: server, asanaConnection: connection, amount: amount, text: text, status: status)
    }

    /// The systems for `body`, stopped before this returns.
    func withSystems<Value>(_ body: (Systems) async throws -> Value) async throws -> Value {
        try await withStarted({ try await systems() }, stop: { await $0.stop() }, body)
    }

    @Test func aGoodFileIsStoredAndScheduled() async throws {
        try await withSystems { systems in
            let context = IntegrationContext(store: systems.fb.store, catalog: SystemCatalog(pipeline: systems.fb.pipeline, publicURL: nil))
            let applied = try await IntegrationRegistry().apply(yaml: systems.yaml(), context: context)
            #expect(applied.created && applied.resolved.contains("field \(systems.amount) = \"Amount\""), "\(applied.resolved)")
            #expect(try await systems.fb.store.integration(id: "billing")?.kind == "freshbooks-asana")
            #expect(try await systems.fb.store.jobs(state: .pending, integrationID: nil, limit: 10).filter { $0.kind == "poll" }.count == 3)
            // Applying again updates, never duplicates.
            #expect(try await IntegrationRegistry().apply(yaml: systems.yaml(), context: context).created == false)
            // invoices, payments, and the team's new projects; nothing twice.
            #expect(try await systems.fb.store.jobs(state: .pending, integrationID: nil, limit: 10).filter { $0.kind == "poll" }.count == 3)
        }
    }

    @Test func aBadReferenceIsRefusedByName() async throws {
        try await withSystems { systems in
            let context = IntegrationContext(store: systems.fb.store, catalog: SystemCatalog(pipeline: systems.fb.pipeline, publicURL: nil))
            let cases: [(String, String, String)] = [
                (systems.yaml(amount: "4242424242"), "asana.fields.billable_amount", "4242424242"),
                (systems.yaml(amount: systems.text), "asana.fields.billable_amount", "text field"),
                (systems.yaml(status: systems.amount), "asana.fields.billing_status", "number field"),
                (systems.yaml(paidOption: "777"), "asana.fields.billing_status.options.paid", "777"),
                (systems.yaml(team: "999999"), "asana.team", "999999"),
                (systems.yaml(asanaConnectionID: systems.fb.connection.id), "connections.asana", "not a connection to Asana"),
            ]
            for (yaml, key, mentions) in cases {
                do {
                    _ = try await IntegrationRegistry().apply(yaml: yaml, context: context)
                    Issue.record("expected \(key) to be refused")
                } catch let ConnectorError.validation(field, message) {
                    #expect(field == key && message.contains(mentions), "\(field): \(message)")
                }
            }
            #expect(try await systems.fb.store.integration(id: "billing") == nil)
        }
    }
}
