import ArgumentParser
import Engine
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// `mlc-bench queue`: enqueues no-op jobs in one batch, drains them with the real worker pool,
/// and checks afterwards that every job ran exactly once.
struct QueueBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Enqueue and drain no-op jobs; every job must run exactly once.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Jobs to enqueue and drain (default 100,000; 2,000 with --quick).")
    var jobs: Int?

    @Option(help: "Workers draining the queue.")
    var workers: Int = 4

    /// Issue 12's goals: drain 10,000 no-op jobs/s, enqueue 50,000/s.
    static let drainGoal = 10_000.0
    static let enqueueGoal = 50_000.0

    func validate() throws {
        if let jobs, !(1...10_000_000).contains(jobs) { throw ValidationError("--jobs must be 1–10000000, got \(jobs)") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
    }

    func measure() async throws -> [BenchLine] {
        let count = jobs ?? options.size(full: 100_000, quick: 2_000)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try await SQLStore.open(databaseURL: options.databaseURL, dataDirectory: BenchDirectory.fresh(), logger: logger)
        let handler = CountingNoopHandler()
        do {
            let started = ContinuousClock.now
            try await store.apply((0..<count).map { .enqueue(JobRequest(kind: handler.kind, payload: "{\"n\":\($0)}")) })
            let enqueued = ContinuousClock.now - started
            let pool = WorkerPool(runner: JobRunner(store: store, registry: JobRegistry([handler]), logger: logger), workers: workers, idlePoll: .milliseconds(10))
            let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: logger))
            let drainStart = ContinuousClock.now
            let running = Task { try await group.run() }
            while try await store.jobCounts()[.succeeded, default: 0] < count {
                try await Task.sleep(for: .milliseconds(20))
            }
            let drained = ContinuousClock.now - drainStart
            await group.triggerGracefulShutdown()
            try await running.value
            try handler.check(expected: count)
            await store.close()
            let drainRate = Double(count) / max(drained.seconds, 1e-9)
            let enqueueRate = Double(count) / max(enqueued.seconds, 1e-9)
            return [
                BenchLine(benchmark: "queue", figure: drainRate, unit: "jobs/s", goal: "drain ≥ 10,000 no-op jobs/s, each exactly once", met: drainRate >= Self.drainGoal,
                          store: options.storeName, counts: ["part": "drain", "jobs": count, "workers": workers, "seconds": drained.seconds]),
                BenchLine(benchmark: "queue", figure: enqueueRate, unit: "jobs/s", goal: "enqueue ≥ 50,000 jobs/s", met: enqueueRate >= Self.enqueueGoal,
                          store: options.storeName, counts: ["part": "enqueue", "jobs": count, "seconds": enqueued.seconds]),
            ]
        } catch {
            await store.close()
            throw error
        }
    }
}

/// Does nothing but count its runs per payload, so the benchmark can prove each job ran once.
final class CountingNoopHandler: JobHandler {
    let kind = "bench.noop"
    private let runs = Mutex<[String: Int]>([:])

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        runs.withLock { $0[job.payload, default: 0] += 1 }
        return JobOutcome()
    }

    /// Throws unless each of `expected` distinct jobs ran exactly once.
    func check(expected: Int) throws {
        let (distinct, twice) = runs.withLock { runs in (runs.count, runs.values.filter { $0 > 1 }.count) }
        guard distinct == expected else { throw BenchFailure(benchmark: "queue", problem: "\(expected) jobs enqueued, \(distinct) ran") }
        guard twice == 0 else { throw BenchFailure(benchmark: "queue", problem: "\(twice) jobs ran more than once") }
    }
}

/// A fresh temporary directory for one benchmark's SQLite file.
enum BenchDirectory {
    static func fresh() -> String { NSTemporaryDirectory() + "mlc-bench-\(UUID().uuidString.prefix(8))" }
}
