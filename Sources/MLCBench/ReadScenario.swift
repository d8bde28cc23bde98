import ArgumentParser
import Asana
import ConnectorKit
import Foundation
import Sandbox

/// `mlc-bench read`: seeds an Asana sandbox with 20 projects × 250 tasks (custom fields set),
/// then reads every task with `list-tasks --workspace` under the sandbox's published limit and
/// prints the wall time against the ideal N/L (N requests at L requests per second).
struct ReadScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Read a seeded Asana sandbox at the published rate limit.")

    @Option(help: "Projects to seed.")
    var projects: Int = 20

    @Option(help: "Tasks per project.")
    var tasks: Int = 250

    @Option(help: "The published limit, requests per minute (Asana: 1,500).")
    var limit: Int = 1500

    func run() async throws {
        let (sandbox, server) = try await AsanaSandbox.serve()
        sandbox.seedBulkReadWorld(projects: projects, tasksPerProject: tasks)
        var plan = FaultPlan()
        plan.rateLimitPerMinute = limit
        sandbox.setFaults(plan)
        // The connection declares the same published limit; the pipeline's bucket spends it.
        let connection = Connection(id: "bench-asana", system: .asana, baseURLs: ["api": server.baseURL + AsanaSandbox.prefix, "auth": server.baseURL],
                                    settings: ["workspace_gid": sandbox.workspaceGID, "auth": "pat", "rate_limit": "\(limit)/1m"])
        let pipeline = HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .apiToken, accessToken: sandbox.personalAccessToken)))
        let counter = Counter()
        let before = sandbox.requestCounts.values.reduce(0, +)
        let started = ContinuousClock.now
        let list = try AsanaConnector().action(named: "list-tasks")
        _ = try await list.run(ActionCall(pipeline: pipeline, connection: connection, arguments: ActionArguments(values: ["workspace": sandbox.workspaceGID]),
                                          emit: { _, _ in await counter.add() }))
        let wall = Self.seconds(ContinuousClock.now - started)
        let requests = sandbox.requestCounts.values.reduce(0, +) - before
        await server.stop()
        let read = await counter.count
        guard read == projects * tasks else { throw ValidationError("read \(read) tasks, seeded \(projects * tasks)") }
        let ideal = Double(requests) / (Double(limit) / 60)
        let ratio = wall / ideal
        let object: [String: Any] = [
            "benchmark": "read", "figure": Self.rounded(wall), "unit": "s", "requests": requests, "tasks": read, "ideal_seconds": Self.rounded(ideal),
            "ratio": Self.rounded(ratio), "goal": "≤1.1 × N/L", "met": ratio <= 1.1, "rate_limited": sandbox.faults.rateLimitedCount,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// Records read so far.
actor Counter {
    var count = 0

    func add() { count += 1 }
}
