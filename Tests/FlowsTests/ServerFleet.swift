import Foundation
import TestSupport
import Testing

/// `ml-connector serve` processes over one test store (three on PostgreSQL, one on SQLite),
/// killed with SIGKILL one at a time and started again: the crash campaigns' fleet.
struct ServerFleet {
    let test: TestStore
    let ports: [Int]
    private(set) var servers: [RunningProcess] = []

    static let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]

    /// Starts the fleet on free ports.
    static func start(_ test: TestStore, database: TestDatabase) async throws -> ServerFleet {
        var fleet = ServerFleet(test: test, ports: try (0..<(database == .postgres ? 3 : 1)).map { _ in try KillAndRestartTests.freePort() })
        for port in fleet.ports { fleet.servers.append(try await fleet.serve(port)) }
        return fleet
    }

    private func serve(_ port: Int) async throws -> RunningProcess {
        let server = try PackageExecutable.start("ml-connector", ["serve", "--port", "\(port)", "--workers", "4", "--job-lease", "3"] + test.processArguments, environment: Self.environment)
        #expect(await server.waitForLine(containing: "listening") != nil)
        return server
    }

    /// SIGKILLs one server at random and starts it again on its port.
    mutating func killOne() async throws {
        let victim = Int.random(in: 0..<servers.count)
        servers[victim].kill9()
        servers[victim] = try await serve(ports[victim])
    }

    /// Kills every server.
    func stop() {
        for server in servers { server.kill9() }
    }

    /// The number of kills a campaign makes (`MLC_CRASH_TRIALS`, 20 by default).
    static var trials: Int { Int(ProcessInfo.processInfo.environment["MLC_CRASH_TRIALS"] ?? "") ?? 20 }
}
