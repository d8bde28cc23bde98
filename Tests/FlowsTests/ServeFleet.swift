import Foundation
import TestSupport
import Testing

/// `ml-connector serve` processes on one store (three on PostgreSQL, one on SQLite), killed
/// with SIGKILL at random moments and started again: the machinery of the crash campaigns.
struct ServeFleet {
    let test: TestStore
    let ports: [Int]
    private(set) var servers: [RunningProcess] = []

    /// Starts the servers on free ports.
    static func start(_ test: TestStore, database: TestDatabase) async throws -> ServeFleet {
        var fleet = ServeFleet(test: test, ports: try (0..<(database == .postgres ? 3 : 1)).map { _ in try KillAndRestartTests.freePort() })
        for port in fleet.ports { fleet.servers.append(try await fleet.start(port)) }
        return fleet
    }

    private func start(_ port: Int) async throws -> RunningProcess {
        let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]
        let server = try PackageExecutable.start("ml-connector", ["serve", "--port", "\(port)", "--workers", "4", "--job-lease", "3"] + test.processArguments, environment: environment)
        #expect(await server.waitForLine(containing: "listening") != nil)
        return server
    }

    /// `trials` kills, 150 ms to 1.2 s apart, each of a random server that is started again;
    /// `before(trial)` runs just before each kill (to break something, or replay, mid-flight).
    mutating func campaign(trials: Int, before: (Int) async throws -> Void = { _ in }) async throws {
        for trial in 0..<trials {
            try await _Concurrency.Task.sleep(for: .milliseconds(Int.random(in: 150...1200)))
            try await before(trial)
            let victim = Int.random(in: 0..<servers.count)
            servers[victim].kill9()
            servers[victim] = try await start(ports[victim])
        }
    }

    /// Kills every server.
    func stop() {
        for server in servers { server.kill9() }
    }
}
