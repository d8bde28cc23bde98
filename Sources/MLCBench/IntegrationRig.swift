import Asana
import ConnectorKit
import Demo
import Engine
import Flows
import Foundation
import Logging
import Sandbox
import ServiceLifecycle
import Store

/// The FreshBooks ↔ Asana integration with everything it runs on, in this process: both
/// sandboxes over loopback, a store, the demo's connections (their declared limit set here),
/// the job registry `serve` builds, and a worker pool. The backfill and rate-limited benchmarks
/// seed Asana, apply the integration through `integration apply`'s path and wait for the result.
struct IntegrationRig {
    let store: SQLStore
    let asana: AsanaSandbox
    let freshbooks: FreshBooksSandbox
    let servers: [SandboxServer]
    let context: IntegrationContext
    let registry: JobRegistry
    let asanaConnection: Connection
    let logger: Logger

    /// Starts the sandboxes and the store and adds both connections, each declaring
    /// `rateLimit` (`"100/1s"` form) to the pipeline.
    static func start(databaseURL: String?, rateLimit: String) async throws -> IntegrationRig {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try await SQLStore.open(databaseURL: databaseURL, dataDirectory: BenchDirectory.fresh(), logger: logger)
        guard let fb = try await FreshBooksDemoSandbox.start(port: 0, samples: false) as? FreshBooksDemoSandbox,
              let asana = try await AsanaDemoSandbox.start(port: 0, samples: false) as? AsanaDemoSandbox else {
            throw BenchFailure(benchmark: "rig", problem: "the demo sandboxes are not the kinds asked for")
        }
        var connections: [Connection] = []
        for (sandbox, id) in [(fb as any DemoSandbox, "bench-fb"), (asana, "bench-asana")] {
            var (connection, credential) = sandbox.demoConnection(id: id)
            connection[setting: .rateLimit] = rateLimit
            try await store.addConnection(connection, credential: credential)
            connections.append(connection)
        }
        let catalog = SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: nil)
        let integrations = IntegrationRegistry()
        let registry = JobRegistry(catalog.handlers(routableKinds: integrations.changeKinds) + integrations.handlers(pipeline: catalog.pipeline))
        return IntegrationRig(store: store, asana: asana.sandbox, freshbooks: fb.sandbox, servers: [fb.server, asana.server],
                              context: IntegrationContext(store: store, catalog: catalog), registry: registry, asanaConnection: connections[1], logger: logger)
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
        let pool = WorkerPool(runner: JobRunner(store: store, registry: registry, logger: logger), workers: workers, idlePoll: .milliseconds(10))
        let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: logger))
        let running = Task { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await running.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// Waits until `condition` holds and no job is due or running; throws after `timeout`.
    func settle(_ what: String, timeout: Duration, until condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() {
                // Recurring polls are always scheduled ahead; only work that is due counts.
                let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(1) }
                if due.isEmpty, try await store.jobCounts()[.running, default: 0] == 0 { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchFailure(benchmark: "rig", problem: "timed out waiting for \(what)")
    }

    /// Checks the FreshBooks account for records that exist twice; throws `BenchFailure`.
    func checkNoDuplicates(benchmark: String) throws {
        let inventory = freshbooks.inventory
        for (label, values) in [("invoice numbers", inventory.invoiceNumbers), ("client organizations", inventory.clientOrganizations), ("project titles", inventory.projectTitles)] {
            let twice = values.count - Set(values).count
            guard twice == 0 else { throw BenchFailure(benchmark: benchmark, problem: "\(twice) duplicate \(label) in the FreshBooks sandbox") }
        }
    }

    /// Stops the sandboxes and closes the store.
    func stop() async {
        for server in servers { await server.stop() }
        await store.close()
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
