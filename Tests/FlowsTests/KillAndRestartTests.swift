import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store
import TestSupport
import Testing

/// `ml-connector serve` killed with SIGKILL in the middle of the agency scenario and started
/// again: afterwards every record exists exactly once.
@Suite struct KillAndRestartTests {
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func aKilledServerRestartsWithoutDuplicates() async throws {
        try await TestDatabase.sqlite.withTestStore { test in
            let store = test.store
            try await withSandbox(try await FreshBooksSandbox.serve()) { fbSandbox, fbServer in
                try await withSandbox(try await AsanaSandbox.serve()) { asanaSandbox, asanaServer in
                    let tokens = fbSandbox.issueTokens()
                    let app = fbSandbox.configuration
                    let fbConnection = Connection(id: "fb-k", system: .freshbooks, baseURLs: ["api": fbServer.baseURL, "auth": fbServer.baseURL], accountRef: fbSandbox.accountID,
                                                  settings: ["account_id": fbSandbox.accountID, "business_id": "\(fbSandbox.businessID)", "rate_limit": "2000/1s"])
                    try await store.addConnection(fbConnection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                                       clientID: app.clientID, clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]))
                    let asanaConnection = try await asanaSandbox.addPATConnection(id: "asana-k", server: asanaServer, to: store)
                    let pipeline = HTTPPipeline(credentials: store)
                    let fb = FreshBooksClient(pipeline: pipeline, connection: fbConnection)
                    let asana = AsanaClient(pipeline: pipeline, connection: asanaConnection)
                    let amount = asanaSandbox.createCustomField(name: "Amount", subtype: "number", precision: 2)

                    let port = try Self.freePort()
                    let publicURL = "http://127.0.0.1:\(port)"
                    let yaml = """
                    name: killed
                    kind: freshbooks-asana
                    connections: { freshbooks: fb-k, asana: asana-k }
                    schedule: { poll: 30s }
                    asana: { workspace: "\(asanaSandbox.workspaceGID)", team: "\(asanaSandbox.teamGID)", fields: { billable_amount: "\(amount.gid)" } }
                    freshbooks: { invoice: { group: per-project-month, number_prefix: "K-", currency: USD } }
                    """
                    // The operator's path: `integration apply`, which schedules the polls and webhooks.
                    _ = try await IntegrationRegistry().apply(yaml: yaml, context: IntegrationContext(store: store, catalog: SystemCatalog(pipeline: pipeline, publicURL: publicURL)))

                    let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]
                    func startServer() async throws -> RunningProcess {
                        let server = try PackageExecutable.start("ml-connector", ["serve", "--port", "\(port)", "--public-url", publicURL, "--workers", "4", "--job-lease", "3"] + test.processArguments, environment: environment)
                        #expect(await server.waitForLine(containing: "listening") != nil)
                        return server
                    }

                    var server = try await startServer()
                    var projects: [Asana.Project] = []
                    for name in ["Acme: Site", "Globex: Brand", "Initech: App"] {
                        let project = try await asana.createProject(ProjectDraft(name: name, team: asanaSandbox.teamGID))
                        asanaSandbox.attach(field: amount.gid, to: project.gid)
                        projects.append(project)
                        for (index, price) in ["100.10", "200.20"].enumerated() {
                            let task = try await asana.createTask(TaskDraft(name: "\(name) task \(index)", projects: [project.gid], customFields: [amount.gid: .number(Decimal(string: price)!)]),
                                                                  key: "\(project.gid)-\(index)", keyField: nil, previousAttemptUncertain: false)
                            _ = try await asana.completeTask(gid: task.gid)
                        }
                    }
                    // Kill it as soon as it has started writing to FreshBooks.
                    try await eventually("the first FreshBooks project", timeout: .seconds(40), interval: .milliseconds(100)) { try await fb.projects().collect().count >= 1 }
                    server.kill9()

                    server = try await startServer()
                    defer { server.kill9() }
                    // Webhooks sent while it was down are lost; the polls are the guarantee.
                    try await eventually("every invoice line", timeout: .seconds(40), interval: .milliseconds(100)) {
                        try await IntegrationRegistry().runNow(try #require(try await store.integration(id: "killed")), context: IntegrationContext(store: store, catalog: SystemCatalog(pipeline: pipeline, publicURL: publicURL)))
                        let invoices = try await fb.invoices(lines: true).collect()
                        return invoices.count == 3 && invoices.reduce(0) { $0 + ($1.lines?.count ?? 0) } == 6
                    }
                    let clients = try await fb.clients().collect()
                    let fbProjects = try await fb.projects().collect()
                    let invoices = try await fb.invoices(lines: true).collect()
                    #expect(clients.count == 3 && Set(clients.compactMap(\.organization)) == ["Acme", "Globex", "Initech"])
                    #expect(fbProjects.count == 3)
                    #expect(invoices.count == 3 && Set(invoices.map(\.invoiceNumber)).count == 3)
                    #expect(invoices.allSatisfy { ($0.lines ?? []).count == 2 && Set(($0.lines ?? []).compactMap(\.description)).count == 2 })
                }
            }
        }
    }
}
