import Foundation
import Store
import TestSupport
import Testing

/// The kill loop of the crash campaigns: `ml-connector serve` processes (three on PostgreSQL,
/// one on SQLite) over the test's store, each killed with SIGKILL at a random moment and
/// started again, `trials` times; `prepare` runs once the servers listen (work they should
/// already be doing when the killing starts), `during` before each kill (the test's own
/// mischief), and `then` while the last servers still run (convergence). They are killed for
/// good before this returns.
enum ServeCampaign {
    /// The number of kills: `MLC_CRASH_TRIALS`, else `fallback`.
    static func trials(fallback: Int) -> Int {
        Int(ProcessInfo.processInfo.environment["MLC_CRASH_TRIALS"] ?? "") ?? fallback
    }

    static func run<Value>(_ test: TestStore, database: TestDatabase, trials: Int, prepare: () async throws -> Void = {},
                           during: (Int) async throws -> Void, then converge: () async throws -> Value) async throws -> Value {
        let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]
        let ports = try (0..<(database == .postgres ? 3 : 1)).map { _ in try KillAndRestartTests.freePort() }
        func start(_ port: Int) async throws -> RunningProcess {
            let server = try PackageExecutable.start("ml-connector", ["serve", "--port", "\(port)", "--workers", "4", "--job-lease", "3"] + test.processArguments, environment: environment)
            #expect(await server.waitForLine(containing: "listening") != nil)
            return server
        }
        var servers: [RunningProcess] = []
        defer { for server in servers { server.kill9() } }
        for port in ports { servers.append(try await start(port)) }
        try await prepare()
        for trial in 0..<trials {
            try await _Concurrency.Task.sleep(for: .milliseconds(Int.random(in: 150...1200)))
            try await during(trial)
            let victim = Int.random(in: 0..<servers.count)
            servers[victim].kill9()
            servers[victim] = try await start(ports[victim])
        }
        return try await converge()
    }
}
