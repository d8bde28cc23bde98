import ArgumentParser
import Foundation

/// The built `ml-connector` beside this `mlc-bench`, run as a child the way a user would run
/// it: none of this shell's `ML_CONNECTOR_` settings, a data directory of its own.
enum ConnectorProcess {
    /// `ml-connector` in the directory of the running `mlc-bench`.
    static func executable() throws -> URL {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let sibling = own.deletingLastPathComponent().appendingPathComponent("ml-connector")
        guard FileManager.default.isExecutableFile(atPath: sibling.path) else {
            throw ValidationError("no ml-connector beside mlc-bench at \(sibling.path); build it first (swift build -c release --product ml-connector)")
        }
        return sibling
    }

    /// `ml-connector <arguments>`, not yet started, with `--data-dir dataDirectory` added (the
    /// caller removes the directory when done: `Bench.freshDirectory()` and `Bench.remove`).
    static func make(_ arguments: [String], dataDirectory: String) throws -> Process {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments + ["--data-dir", dataDirectory]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ML_CONNECTOR_") }
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// Starts `process` and waits for it to exit; past `timeout` it is terminated and the run
    /// fails. Returns the exit status.
    static func run(_ process: Process, benchmark: String, timeout: Duration) async throws -> Int32 {
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw BenchFailure(benchmark: benchmark, problem: "ml-connector \(process.arguments?.first ?? "") did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }
}
