import Asana
import ConnectorKit
import Demo
import Engine
import Flows
import Foundation
import Sandbox
import Store

/// The FreshBooks ↔ Asana integration with everything it runs on, in this process: both
/// sandboxes over loopback, a store, the demo's connections (their declared limit set here),
/// the job registry `serve` builds, and a worker pool. The backfill and rate-limited benchmarks
/// seed Asana, apply the integration through `integration apply`'s path and wait for the result.
struct IntegrationRig {
    let store: SQLStore
    let asana: AsanaSandbox
    let freshbooks: FreshBooksSandbox
    let context: IntegrationContext
    let registry: JobRegistry
    let asanaConnection: Connection

    /// Starts the sandboxes and the store, adds both connections, each declaring `rateLimit`
    /// (`"100/1s"` form) to the pipeline, runs `body`, and stops everything again.
    static func run<T>(databaseURL: String?, rateLimit: String, _ body: (IntegrationRig) async throws -> T) async throws -> T {
        try await Bench.withStore(databaseURL: databaseURL) { store in
            var servers: [SandboxServer] = []
            do {
                let fb = try await FreshBooksDemoSandbox.start(port: 0, samples: false) as? FreshBooksDemoSandbox
                if let fb { servers.append(fb.server) }
                let asana = try await AsanaDemoSandbox.start(port: 0, samples: false) as? AsanaDemoSandbox
                if let asana { servers.append(asana.server) }
                guard let fb, let asana else { throw BenchFailure(benchmark: "rig", problem: "the demo sandboxes are not the kinds asked for") }
                var connections: [Connection] = []
                for (sandbox, id) in [(fb as any DemoSandbox, "bench-fb"), (asana, "bench-asana")] {
                    var (connection, credential) = sandbox.demoConnection(id: id)
                    connection[setting: .rateLimit] = rateLimit
                    try await store.addConnection(connection, credential: credential)
                    connections.append(connection)
                }
                let catalog = SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: nil)
                let rig = IntegrationRig(store: store, asana: asana.sandbox, freshbooks: fb.sandbox, context: IntegrationContext(store: store, catalog: catalog),
                                         registry: IntegrationRegistry().jobRegistry(catalog: catalog), asanaConnection: connections[1])
                let result = try await body(rig)
                for server in servers { await server.stop() }
                return result
            } catch {
                for server in servers { await server.stop() }
                throw error
            }
        }
    }

    /// Seeds `projects` projects in the team, each with `tasksPerProject` completed tasks that
    /// carry a billable amount; returns the amount field's gid and the projects' gids.
    func seed(projects: Int, tasksPerProject: Int) -> (amountField: String, projects: [String]) {
        let amount = asana.createCustomField(name: "Billable amount", subtype: "number", precision: 2).gid
        let gids = (0..<projects).map { index in
            let project = asana.seedProject(name: "Client \(index + 1): Engagement \(index + 1)")
            asana.attach(field: amount, to: project)
            asana.seedTasks(project: project, count: tasksPerProject, prefix: "Work item", completed: true) { task in [amount: .number("\(100 + task % 50).25")] }
            return project
        }
        return (amount, gids)
    }

    /// The integration: every completed task with an amount becomes its own FreshBooks invoice
    /// (`per-task`), so each task is one created record; no status is written back.
    func yaml(amountField: String, name: String = "bench-billing") -> String {
        """
        name: \(name)
        kind: freshbooks-asana
        connections: { freshbooks: bench-fb, asana: bench-asana }
        schedule: { poll: 1h }
        asana:
          workspace: "\(asana.workspaceGID)"
          team: "\(asana.teamGID)"
          fields: { billable_amount: "\(amountField)" }
        freshbooks:
          invoice: { group: per-task, number_prefix: "BF-", currency: USD, mark_sent: false, due_offset_days: 30 }
        """
    }

    /// API calls both sandboxes have answered, by `METHOD path`, each key prefixed by the system.
    var calls: [String: Int] {
        var calls: [String: Int] = [:]
        for (route, count) in freshbooks.requestCounts { calls["freshbooks " + route] = count }
        for (route, count) in asana.requestCounts { calls["asana " + route] = count }
        return calls
    }

    /// Runs `body` with a worker pool draining the queue, then stops the pool.
    func withWorkers<T>(_ workers: Int, _ body: () async throws -> T) async throws -> T {
        try await Bench.withWorkers(workers, store: store, registry: registry, body)
    }

    /// Waits until `condition` holds and no job is due or running; throws after `timeout`.
    func settle(_ what: String, timeout: Duration, until condition: () async throws -> Bool) async throws {
        try await Bench.waitUntil(what, benchmark: "rig", timeout: timeout) {
            guard try await condition() else { return false }
            // Recurring polls are always scheduled ahead; only work that is due counts.
            let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(1) }
            guard due.isEmpty else { return false }
            return try await store.jobCounts()[.running, default: 0] == 0
        }
    }

    /// Checks the FreshBooks account for records that exist twice; throws `BenchFailure`.
    func checkNoDuplicates(benchmark: String) throws {
        let inventory = freshbooks.inventory
        for (label, values) in [("invoice numbers", inventory.invoiceNumbers), ("client organizations", inventory.clientOrganizations), ("project titles", inventory.projectTitles)] {
            let twice = values.count - Set(values).count
            guard twice == 0 else { throw BenchFailure(benchmark: benchmark, problem: "\(twice) duplicate \(label) in the FreshBooks sandbox") }
        }
    }
}

/// API calls between two snapshots of `IntegrationRig.calls`, split into reads (GET) and writes.
struct CallSplit {
    var reads = 0
    var writes = 0
    var bySystem: [String: Int] = [:]

    init(before: [String: Int], after: [String: Int]) {
        for (key, count) in after {
            let made = count - before[key, default: 0]
            guard made > 0 else { continue }
            let parts = key.split(separator: " ")
            bySystem[String(parts[0]), default: 0] += made
            if parts.count > 1, parts[1] == "GET" { reads += made } else { writes += made }
        }
    }
}
