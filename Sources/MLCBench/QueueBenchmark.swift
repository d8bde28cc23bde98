import ArgumentParser
import Engine
import Foundation
import Store
import Synchronization

/// `mlc-bench queue`: enqueues no-op jobs in one batch, drains them with the real worker pool,
/// and checks afterwards that every job ran exactly once.
struct QueueBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Enqueue and drain no-op jobs; every job must run exactly once.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Jobs to enqueue and drain (default 100,000; 2,000 with --quick).")
    var jobs: Int?

    @Option(help: "Workers draining the queue, in each process.")
    var workers: Int = 4

    @Option(help: "Processes draining the queue together (PostgreSQL only; default 3 there, 1 on SQLite).")
    var processes: Int?

    /// Issue 12's goals: drain 10,000 no-op jobs/s (on SQLite by one process, on PostgreSQL
    /// across three), enqueue 50,000/s.
    static let drainGoal = 10_000.0
    static let enqueueGoal = 50_000.0

    func validate() throws {
        if let jobs, !(1...10_000_000).contains(jobs) { throw ValidationError("--jobs must be 1–10000000, got \(jobs)") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
        if let processes {
            guard (1...16).contains(processes) else { throw ValidationError("--processes must be 1–16, got \(processes)") }
            if processes > 1 && options.databaseURL == nil { throw ValidationError("--processes \(processes) needs --database-url: processes share a PostgreSQL queue") }
        }
    }

    func measure() async throws -> [BenchLine] {
        let count = jobs ?? options.size(full: 100_000, quick: 2_000)
        let processes = processes ?? (options.databaseURL == nil ? 1 : 3)
        let (enqueued, drained) = if let databaseURL = options.databaseURL, processes > 1 {
            try await measureAcrossProcesses(count: count, processes: processes, databaseURL: databaseURL)
        } else {
            try await measureInProcess(count: count)
        }
        let drainRate = Double(count) / max(drained.seconds, 1e-9)
        let enqueueRate = Double(count) / max(enqueued.seconds, 1e-9)
        let across = processes > 1 ? " across \(processes) processes" : " by one process"
        return [
            BenchLine(benchmark: "queue", figure: drainRate, unit: "jobs/s", goal: "drain ≥ 10,000 no-op jobs/s\(across), each exactly once", met: drainRate >= Self.drainGoal,
                      store: options.storeName, counts: ["part": "drain", "jobs": count, "processes": processes, "workers": workers, "seconds": drained.seconds]),
            BenchLine(benchmark: "queue", figure: enqueueRate, unit: "jobs/s", goal: "enqueue ≥ 50,000 jobs/s", met: enqueueRate >= Self.enqueueGoal,
                      store: options.storeName, counts: ["part": "enqueue", "jobs": count, "seconds": enqueued.seconds]),
        ]
    }

    /// Enqueues `count` jobs in one batch and drains them with this process's worker pool.
    private func measureInProcess(count: Int) async throws -> (enqueued: Duration, drained: Duration) {
        let handler = CountingNoopHandler()
        let times = try await Bench.withStore(databaseURL: options.databaseURL) { store in
            let started = ContinuousClock.now
            try await store.apply((0..<count).map { .enqueue(JobRequest(kind: handler.kind, payload: "{\"n\":\($0)}")) })
            let enqueued = ContinuousClock.now - started
            let drainStart = ContinuousClock.now
            // The handler's own count, not the store's: a shared PostgreSQL database holds earlier runs' jobs.
            try await Bench.withWorkers(workers, store: store, registry: JobRegistry([handler])) {
                try await Bench.waitUntil("\(count) jobs to run", benchmark: "queue", timeout: .seconds(60 + count / 100)) { handler.distinct >= count }
            }
            return (enqueued, ContinuousClock.now - drainStart)
        }
        try handler.check(expected: count)
        return times
    }

    /// Enqueues `count` jobs of a kind of this run's own, starts `processes` worker processes on
    /// the database, and times them from `go` until they say every job ran; then checks across
    /// their reports that each job ran exactly once.
    private func measureAcrossProcesses(count: Int, processes: Int, databaseURL: String) async throws -> (enqueued: Duration, drained: Duration) {
        let kind = "bench.noop.\(UUID().uuidString.prefix(8).lowercased())"
        let enqueued = try await Bench.withStore(databaseURL: databaseURL) { store in
            let started = ContinuousClock.now
            try await store.apply((0..<count).map { .enqueue(JobRequest(kind: kind, payload: "{\"n\":\($0)}")) })
            return ContinuousClock.now - started
        }
        let children = try QueueProcesses(processes: processes, workers: workers, kind: kind, databaseURL: databaseURL)
        do {
            try await Bench.waitUntil("\(processes) worker processes to start", benchmark: "queue", timeout: .seconds(60)) {
                try children.checkAlive(benchmark: "queue")
                return children.allReady
            }
            children.go()
            let started = ContinuousClock.now
            try await Bench.waitUntil("\(count) jobs to run", benchmark: "queue", timeout: .seconds(60 + count / 100), interval: .milliseconds(5)) {
                try children.checkAlive(benchmark: "queue")
                return children.ran >= count
            }
            let drained = ContinuousClock.now - started
            try CountingNoopHandler.check(try await children.finish(benchmark: "queue", timeout: .seconds(60)), expected: count)
            return (enqueued, drained)
        } catch {
            children.terminate()
            throw error
        }
    }
}

/// Does nothing but count its runs per payload, so the benchmark can prove each job ran once.
final class CountingNoopHandler: JobHandler {
    let kind: String
    private let counts = Mutex<(byPayload: [String: Int], total: Int)>(([:], 0))

    /// A handler of `kind` (a multi-process run names its own, so no earlier run's jobs count).
    init(kind: String = "bench.noop") { self.kind = kind }

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        counts.withLock {
            $0.byPayload[job.payload, default: 0] += 1
            $0.total += 1
        }
        return JobOutcome()
    }

    /// Distinct jobs run so far.
    var distinct: Int { counts.withLock { $0.byPayload.count } }

    /// Runs so far, a job run twice counted twice.
    var runs: Int { counts.withLock { $0.total } }

    /// The payload of every run, a job run twice listed twice.
    func payloadsRan() -> [String] {
        counts.withLock { $0.byPayload.flatMap { payload, times in Array(repeating: payload, count: times) } }
    }

    /// Throws unless each of `expected` distinct jobs ran exactly once.
    func check(expected: Int) throws {
        try Self.check(counts.withLock { $0.byPayload }, expected: expected)
    }

    /// Throws unless `runs` (times run by payload) holds `expected` jobs, each run exactly once.
    static func check(_ runs: [String: Int], expected: Int) throws {
        let twice = runs.values.filter { $0 > 1 }.count
        guard runs.count == expected else { throw BenchFailure(benchmark: "queue", problem: "\(expected) jobs enqueued, \(runs.count) ran") }
        guard twice == 0 else { throw BenchFailure(benchmark: "queue", problem: "\(twice) jobs ran more than once") }
    }
}
