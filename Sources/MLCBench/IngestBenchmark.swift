import ArgumentParser
import ConnectorKit
import Engine
import Flows
import Foundation
import Server
import ServiceLifecycle
import Store

/// `mlc-bench ingest`: issue 12's goal 1. Starts the server `serve` runs on loopback, with a
/// FreshBooks and an Asana subscription of a FreshBooks ↔ Asana integration; a load generator
/// in a child process drives `/healthz`, then signed distinct deliveries as fast as they are
/// answered, then deliveries paced at 1,000/s; afterwards every delivery must be in the inbox
/// and the queue exactly once.
struct IngestBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Signed webhook deliveries over HTTP against /healthz, and p99 at 1,000 deliveries/s.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Distinct deliveries sent as fast as they are answered (default 20,000; 1,000 with --quick).")
    var deliveries: Int?

    @Option(help: "Seconds of deliveries paced at --rate (default 10; 1 with --quick).")
    var pacedSeconds: Int?

    @Option(help: "Deliveries per second in the paced part.")
    var rate: Int = 1_000

    @Option(help: "Keep-alive connections of the load generator.")
    var connections: Int = 32

    @Option(help: "Job workers in the server (its integration is paused, so they hold the jobs).")
    var workers: Int = 4

    /// Issue 12: deliveries/s at least a quarter of `/healthz`/s; p99 under 20 ms at 1,000/s.
    static let ratioGoal = 0.25
    static let p99Goal = 20.0
    /// Every this-many-th delivery is sent twice.
    static let duplicateEvery = 10

    func validate() throws {
        // The generator builds every request before it starts (and /healthz gets four times the deliveries): a million is plenty.
        if let deliveries, !(10...1_000_000).contains(deliveries) { throw ValidationError("--deliveries must be 10–1000000, got \(deliveries)") }
        if let pacedSeconds, !(1...3_600).contains(pacedSeconds) { throw ValidationError("--paced-seconds must be 1–3600, got \(pacedSeconds)") }
        guard (1...100_000).contains(rate) else { throw ValidationError("--rate must be 1–100000, got \(rate)") }
        let paced = rate * (pacedSeconds ?? 10)
        guard paced <= 1_000_000 else { throw ValidationError("--rate × --paced-seconds must be at most 1000000 deliveries, got \(paced)") }
        guard (1...500).contains(connections) else { throw ValidationError("--connections must be 1–500, got \(connections)") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
    }

    func measure() async throws -> [BenchLine] {
        let burst = deliveries ?? options.size(full: 20_000, quick: 1_000)
        let paced = rate * (pacedSeconds ?? options.size(full: 10, quick: 1))
        let fixture = IngestFixture(run: UInt32.random(in: 100_000...999_999))
        let (results, checked) = try await Bench.withStore(databaseURL: options.databaseURL) { store in
            do {
                try await fixture.install(in: store)
                let results = try await BenchServer.run(store: store, workers: workers) { port in
                    var plan = LoadPlan(port: port, connections: connections, kind: .healthz, first: 0, count: burst * 4, rate: nil, duplicateEvery: 0, targets: fixture.targets)
                    let health = try await IngestLoadGenerator.spawn(plan)
                    plan.kind = .deliveries
                    plan.count = burst
                    plan.duplicateEvery = Self.duplicateEvery
                    let flat = try await IngestLoadGenerator.spawn(plan)
                    plan.first = burst
                    plan.count = paced
                    plan.rate = Double(rate)
                    let timed = try await IngestLoadGenerator.spawn(plan)
                    return (health: health, burst: flat, paced: timed)
                }
                let checked = try await fixture.check(store: store, distinct: burst + paced, answers: [results.burst, results.paced])
                try await fixture.remove(from: store)
                return (results, checked)
            } catch {
                try? await fixture.remove(from: store)
                throw error
            }
        }
        return lines(results, checked: checked)
    }

    private func lines(_ results: (health: LoadResult, burst: LoadResult, paced: LoadResult), checked: IngestFixture.Checked) -> [BenchLine] {
        let ratio = results.burst.rate / max(results.health.rate, 1e-9)
        let achieved = results.paced.rate
        let steady = achieved >= Double(rate) * 0.98
        return [
            BenchLine(benchmark: "ingest", figure: ratio * 100, unit: "% of /healthz req/s",
                      goal: "signed deliveries/s ≥ 25% of /healthz req/s in the same run, each verified, de-duplicated and enqueued before its 200",
                      met: ratio >= Self.ratioGoal, store: options.storeName,
                      counts: ["part": "throughput", "deliveries_per_s": results.burst.rate, "healthz_per_s": results.health.rate, "requests": results.burst.sent,
                               "healthz_requests": results.health.sent, "connections": connections, "p50_ms": results.burst.p50Ms, "p99_ms": results.burst.p99Ms,
                               "distinct_deliveries": checked.distinct, "duplicates_sent": checked.duplicatesSent, "jobs": checked.jobs]),
            BenchLine(benchmark: "ingest", figure: results.paced.p99Ms, unit: "ms",
                      goal: "p99 acknowledgement < 20 ms at \(rate) deliveries/s (from each delivery's due time)",
                      met: results.paced.p99Ms < Self.p99Goal && steady, store: options.storeName,
                      counts: ["part": "paced", "rate_goal": rate, "rate_achieved": achieved, "requests": results.paced.sent, "p50_ms": results.paced.p50Ms,
                               "max_ms": results.paced.maxMs, "connections": connections]),
        ]
    }
}

/// The server `serve` runs, on a free loopback port, with every registered system and
/// integration; stopped without a signal.
enum BenchServer {
    /// Starts the server, runs `body` with its port, and stops it again.
    static func run<T>(store: SQLStore, workers: Int, _ body: (Int) async throws -> T) async throws -> T {
        let catalog = SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: nil)
        let runtime = ServerRuntime(store: store, configuration: ServerConfiguration(port: 0, workers: workers), registry: IntegrationRegistry().jobRegistry(catalog: catalog),
                                    verifiers: catalog.verifiers, logger: Bench.logger)
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let group = runtime.serviceGroup(onSignals: false) { port in bound.yield(port) }
        // A server that fails before it listens ends the stream, so the wait below ends too.
        let running = Task {
            defer { bound.finish() }
            try await group.run()
        }
        var listening: Int?
        for await port in ports {
            listening = port
            break
        }
        do {
            guard let port = listening else {
                let ended = await running.result
                throw BenchFailure(benchmark: "ingest", problem: "the server did not start: \(ended)")
            }
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            _ = await running.result
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
    }
}
