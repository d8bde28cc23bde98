import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Sandbox
import Store
import TestSupport
import Testing

/// Issue 9's crash campaign: `ml-connector serve` (three of them on PostgreSQL) killed with
/// SIGKILL at random points of a 200-task sync and started again, including during a token
/// refresh and during a replay; afterwards FreshBooks holds exactly the expected records.
/// `MLC_CRASH_TRIALS` sets the number of kills (20 by default).
@Suite struct CrashCampaignTests {
    static let projects = 10
    static let tasksPerProject = 20

    @Test(arguments: TestDatabase.available)
    func crashCampaign_killedServersConvergeWithNothingTwiceAndNothingLost(_ database: TestDatabase) async throws {
        let trials = ServerFleet.trials
        let test = try await database.makeStore()
        let store = test.store
        let (fbSandbox, fbServer) = try await FreshBooksSandbox.serve()
        let (asanaSandbox, asanaServer) = try await AsanaSandbox.serve()
        do {
            let tokens = fbSandbox.issueTokens()
            let app = fbSandbox.configuration
            let fbConnection = Connection(id: "fb-c", system: .freshbooks, baseURLs: ["api": fbServer.baseURL, "auth": fbServer.baseURL], accountRef: fbSandbox.accountID,
                                          settings: ["account_id": fbSandbox.accountID, "business_id": "\(fbSandbox.businessID)", "rate_limit": "5000/1s"])
            try await store.addConnection(fbConnection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                               clientID: app.clientID, clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]))
            let asanaConnection = Connection(id: "asana-c", system: .asana, baseURLs: ["api": asanaServer.baseURL + AsanaSandbox.prefix, "auth": asanaServer.baseURL],
                                             settings: ["workspace_gid": asanaSandbox.workspaceGID, "auth": "pat", "rate_limit": "5000/1s"])
            try await store.addConnection(asanaConnection, credential: Credential(kind: .apiToken, accessToken: asanaSandbox.personalAccessToken))
            let pipeline = HTTPPipeline(credentials: store)
            let fb = FreshBooksClient(pipeline: pipeline, connection: fbConnection)
            let asana = AsanaClient(pipeline: pipeline, connection: asanaConnection)
            let amount = asanaSandbox.createCustomField(name: "Amount", subtype: "number", precision: 2).gid
            let expense = asanaSandbox.createCustomField(name: "Expense", subtype: "number", precision: 2).gid
            let context = IntegrationContext(store: store, catalog: SystemCatalog(pipeline: pipeline, publicURL: nil))
            _ = try await IntegrationRegistry().apply(yaml: """
            name: campaign
            kind: freshbooks-asana
            connections: { freshbooks: fb-c, asana: asana-c }
            schedule: { poll: 30s }
            asana: { workspace: "\(asanaSandbox.workspaceGID)", team: "\(asanaSandbox.teamGID)", fields: { billable_amount: "\(amount)", expense_amount: "\(expense)" } }
            freshbooks: { invoice: { group: per-project-month, number_prefix: "C-", currency: USD }, expense: { category: 2 } }
            """, context: context)

            // The 200 tasks: every one billable, every tenth with an expense.
            for p in 0..<Self.projects {
                let project = try await asana.createProject(ProjectDraft(name: "Client \(p): Work", team: asanaSandbox.teamGID))
                for field in [amount, expense] { asanaSandbox.attach(field: field, to: project.gid) }
                for t in 0..<Self.tasksPerProject {
                    var fields: [String: CustomFieldInput] = [amount: .number(Decimal(10 + t))]
                    if t % 10 == 0 { fields[expense] = .number(Decimal(5 + p)) }
                    let task = try await asana.createTask(TaskDraft(name: "P\(p) task \(t)", projects: [project.gid], customFields: fields), key: "c-\(p)-\(t)", keyField: nil, previousAttemptUncertain: false)
                    _ = try await asana.completeTask(gid: task.gid)
                }
            }
            // Invoice creates are refused at first: the early jobs become dead letters to replay.
            var plan = FaultPlan()
            plan.failWritesOn = "/invoices/invoices"
            fbSandbox.setFaults(plan)

            var fleet = try await ServerFleet.start(test, database: database)
            defer { fleet.stop() }

            let started = ContinuousClock.now
            for trial in 0..<trials {
                try await _Concurrency.Task.sleep(for: .milliseconds(Int.random(in: 150...1200)))
                switch trial {
                case trials / 4:
                    // The cause of the refusals is fixed; the operator replays while servers die.
                    fbSandbox.setFaults(FaultPlan())
                    for letter in try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 500) { _ = try await store.replay(id: letter.id, now: Date()) }
                    try await _Concurrency.Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
                case trials / 2:
                    // Every access token dies: the next FreshBooks call refreshes; kill during it.
                    fbSandbox.revokeAccessTokens()
                    try await _Concurrency.Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                default:
                    break
                }
                try await fleet.killOne()
            }
            fbSandbox.setFaults(FaultPlan())

            // Converge: polls now, and anything that died meanwhile replayed.
            let deadline = ContinuousClock.now + .seconds(120)
            var reconnects = 0
            while true {
                let invoices: [FreshBooks.Invoice]
                do {
                    invoices = try await fb.invoices(lines: true).collect()
                } catch ConnectorError.unauthorized {
                    // A kill while the vendor's token call was in flight can strand a rotating refresh
                    // token (the vendor spent it; the answer died with the process). No store design
                    // saves that pair; the operator reconnects, and nothing may be duplicated after.
                    reconnects += 1
                    let fresh = fbSandbox.issueTokens()
                    try await store.saveCredential(Credential(kind: .oauth2, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, clientID: app.clientID,
                                                              clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]), for: fbConnection.id)
                    continue
                }
                let lines = invoices.reduce(0) { $0 + ($1.lines?.count ?? 0) }
                let expenses = try await fb.expenses().collect().count
                if invoices.count >= Self.projects && lines >= Self.projects * Self.tasksPerProject && expenses >= 20 { break }
                guard ContinuousClock.now < deadline else { Issue.record("no convergence: \(invoices.count) invoices, \(lines) lines"); break }
                try await IntegrationRegistry().runNow(try #require(try await store.integration(id: "campaign")), context: context)
                for letter in try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 500) { _ = try await store.replay(id: letter.id, now: Date()) }
                try await _Concurrency.Task.sleep(for: .milliseconds(500))
            }
            let elapsed = ContinuousClock.now - started
            print("crash campaign on \(database): \(trials) kills of \(fleet.ports.count) server(s), converged after \(elapsed), \(reconnects) reconnect(s)")

            let clients = try await fb.clients().collect()
            let projects = try await fb.projects().collect()
            let invoices = try await fb.invoices(lines: true).collect()
            let expenses = try await fb.expenses().collect()
            #expect(clients.count == Self.projects && Set(clients.compactMap(\.organization)).count == Self.projects)
            #expect(projects.count == Self.projects)
            #expect(invoices.count == Self.projects && Set(invoices.map(\.invoiceNumber)).count == Self.projects)
            #expect(invoices.allSatisfy { ($0.lines ?? []).count == Self.tasksPerProject && Set(($0.lines ?? []).compactMap(\.description)).count == Self.tasksPerProject })
            #expect(expenses.count == 20 && Set(expenses.compactMap(\.notes)).count == 20)
        } catch {
            await fbServer.stop()
            await asanaServer.stop()
            await store.close()
            throw error
        }
        await fbServer.stop()
        await asanaServer.stop()
        await store.close()
    }
}
