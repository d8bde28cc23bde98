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
        let handler = CountingNoopHandler()
        let (enqueued, drained) = try await Bench.withStore(databaseURL: options.databaseURL) { store in
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
        let drainRate = Double(count) / max(drained.seconds, 1e-9)
        let enqueueRate = Double(count) / max(enqueued.seconds, 1e-9)
        return [
            BenchLine(benchmark: "queue", figure: drainRate, unit: "jobs/s", goal: "drain ≥ 10,000 no-op jobs/s, each exactly once", met: drainRate >= Self.drainGoal,
                      store: options.storeName, counts: ["part": "drain", "jobs": count, "workers": workers, "seconds": drained.seconds]),
            BenchLine(benchmark: "queue", figure: enqueueRate, unit: "jobs/s", goal: "enqueue ≥ 50,000 jobs/s", met: enqueueRate >= Self.enqueueGoal,
                      store: options.storeName, counts: ["part": "enqueue", "jobs": count, "seconds": enqueued.seconds]),
        ]
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

    /// Distinct jobs run so far.
    var distinct: Int { runs.withLock { $0.count } }

    /// Throws unless each of `expected` distinct jobs ran exactly once.
    func check(expected: Int) throws {
        let (distinct, twice) = runs.withLock { runs in (runs.count, runs.values.filter { $0 > 1 }.count) }
        guard distinct == expected else { throw BenchFailure(benchmark: "queue", problem: "\(expected) jobs enqueued, \(distinct) ran") }
        guard twice == 0 else { throw BenchFailure(benchmark: "queue", problem: "\(twice) jobs ran more than once") }
    }
}
