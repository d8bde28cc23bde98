import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `mlc-bench footprint`: starts the built `ml-connector serve` (the executable beside this one)
/// on a fresh SQLite directory, times spawn to the first `/readyz` 200, then reads the idle
/// process's resident set from `/proc`. Without `--quick` it also runs `ml-connector demo --exit`
/// and reports its peak resident set.
struct FootprintBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "footprint", abstract: "serve's start to /readyz and idle RSS on SQLite; the demo's peak RSS.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds serve sits idle before its RSS is read.")
    var idleSeconds: Int = 2

    /// Issue 12's goals: ready within 300 ms, idle under 40 MB.
    static let readyGoalMilliseconds = 300.0
    static let idleGoalMegabytes = 40.0

    func validate() throws {
        guard (0...60).contains(idleSeconds) else { throw ValidationError("--idle-seconds must be 0–60, got \(idleSeconds)") }
    }

    func measure() async throws -> [BenchLine] {
        // The database is SQLite in a fresh directory even when the run was given PostgreSQL: the goal is SQLite's.
        let dataDirectory = Bench.freshDirectory()
        defer { Bench.remove(dataDirectory) }
        let serve = try ConnectorProcess.make(["serve", "--json", "--port", "0"], dataDirectory: dataDirectory)
        serve.standardError = FileHandle.standardError
        let output = Pipe()
        serve.standardOutput = output
        let started = ContinuousClock.now
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        let port = try await Self.listeningPort(output)
        let ready = try await Self.waitForReady(port: port, process: serve)
        let readyMilliseconds = (ContinuousClock.now - started).seconds * 1000
        guard ready.contains("\"ready\"") else { throw BenchFailure(benchmark: "footprint", problem: "/readyz answered 200 with \(ready)") }
        try await Task.sleep(for: .seconds(idleSeconds))
        guard let idle = Self.residentMegabytes(pid: serve.processIdentifier, field: "VmRSS"), let peak = Self.residentMegabytes(pid: serve.processIdentifier, field: "VmHWM") else {
            throw BenchFailure(benchmark: "footprint", problem: serve.isRunning ? "/proc/\(serve.processIdentifier)/status has no VmRSS and VmHWM" : "serve exited with status \(serve.terminationStatus) while idle")
        }
        serve.terminate()
        serve.waitUntilExit()
        withExtendedLifetime(output) {}
        var lines = [
            BenchLine(benchmark: "footprint", figure: readyMilliseconds, unit: "ms", goal: "serve on SQLite: spawn to /readyz 200 ≤ 300 ms", met: readyMilliseconds <= Self.readyGoalMilliseconds,
                      store: "sqlite", counts: ["part": "ready"]),
            BenchLine(benchmark: "footprint", figure: idle, unit: "MB", goal: "serve idle RSS ≤ 40 MB", met: idle <= Self.idleGoalMegabytes,
                      store: "sqlite", counts: ["part": "idle-rss", "idle_seconds": idleSeconds, "serve_peak_mb": peak]),
        ]
        if !options.quick { lines.append(try await demoPeak()) }
        return lines
    }

    /// Runs `ml-connector demo --exit` to the end and reports its peak RSS (the kernel's
    /// high-water mark of the largest child reaped so far; serve, reaped before, is smaller).
    private func demoPeak() async throws -> BenchLine {
        let dataDirectory = Bench.freshDirectory()
        defer { Bench.remove(dataDirectory) }
        let demo = try ConnectorProcess.make(["demo", "--exit"], dataDirectory: dataDirectory)
        demo.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        let status = try await ConnectorProcess.run(demo, benchmark: "footprint", timeout: .seconds(600))
        guard status == 0 else { throw BenchFailure(benchmark: "footprint", problem: "the demo exited with status \(status)") }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) / 1024
        return BenchLine(benchmark: "footprint", figure: peak, unit: "MB", goal: "none (the demo process's peak RSS, 54 MB before issue 12)", met: true,
                         store: "sqlite", counts: ["part": "demo-peak-rss", "demo_seconds": (ContinuousClock.now - started).seconds])
    }

    /// Polls `/readyz` every 2 ms until it answers 200; returns its body. Fails if serve exits
    /// or takes over 30 s.
    static func waitForReady(port: Int, process: Process) async throws -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)/readyz") else { throw BenchFailure(benchmark: "footprint", problem: "no URL for port \(port)") }
        let deadline = ContinuousClock.now + .seconds(30)
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchFailure(benchmark: "footprint", problem: "serve exited with status \(process.terminationStatus) before it was ready") }
            if let (data, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 {
                return String(decoding: data, as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw BenchFailure(benchmark: "footprint", problem: "serve was not ready within 30 s")
    }

    /// How long serve may take to print its listening URL.
    static let firstLineDeadline: Duration = .seconds(60)

    /// The port serve printed in its `listening` line (`--json`), as soon as it prints it, or a
    /// failure once `firstLineDeadline` passes without one.
    static func listeningPort(_ output: Pipe) async throws -> Int {
        let text = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let seen = Mutex((data: Data(), answered: false))
            // Output after the first line is read and dropped: serve must never block on, or lose, its stdout.
            output.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                if chunk.isEmpty { handle.readabilityHandler = nil }
                let line: String? = seen.withLock { seen in
                    guard !seen.answered else { return nil }
                    seen.data += chunk
                    // The first whole line, or all there is once serve closes its output.
                    guard let end = seen.data.firstIndex(of: UInt8(ascii: "\n")) ?? (chunk.isEmpty ? seen.data.endIndex : nil) else { return nil }
                    seen.answered = true
                    return String(decoding: seen.data[..<end], as: UTF8.self)
                }
                if let line { continuation.resume(returning: line) }
            }
            // A serve that never prints (or hangs before it does) fails the benchmark, not hangs it.
            Task {
                try? await Task.sleep(for: Self.firstLineDeadline)
                let late = seen.withLock { seen in
                    guard !seen.answered else { return false }
                    seen.answered = true
                    return true
                }
                if late { continuation.resume(returning: "nothing within \(Self.firstLineDeadline)") }
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let url = (object["url"] as? String).flatMap(URL.init(string:)), let port = url.port else {
            throw BenchFailure(benchmark: "footprint", problem: "serve printed no listening URL but \(text.prefix(200))")
        }
        return port
    }

    /// A `kB` line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MB.
    static func residentMegabytes(pid: Int32, field: String) -> Double? {
        // /proc files report a size of 0, and Foundation reads by size: read(2) until the end.
        let descriptor = open("/proc/\(pid)/status", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        let status = String(decoding: bytes, as: UTF8.self)
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kilobytes = line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first.flatMap { Double($0) }
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}
