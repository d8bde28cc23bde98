import ArgumentParser

/// `mlc-bench`: measures issue 12's goals, one JSON line each. Run it in release:
/// `swift run -c release mlc-bench [--database-url …] [--quick]`; each goal is also a
/// subcommand (`mlc-bench queue --jobs 50000`). A goal not met is a line with `"met":false`;
/// only a wrong result (a job lost or run twice) makes it exit non-zero.
@main
struct MLCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlc-bench", abstract: "Benchmarks of ingest, the job queue, backfill, rate-limited sync, demo API calls and footprint.",
        subcommands: [AllBenchmarks.self] + AllBenchmarks.goals.map { $0 as any ParsableCommand.Type } + [VaultBenchmark.self, IngestInProcessBenchmark.self, IngestLoadGenerator.self, QueueWorkerProcess.self, ReadScenario.self, FuzzScenario.self],
        defaultSubcommand: AllBenchmarks.self)
}

/// `mlc-bench all` (the default): every goal benchmark in turn.
struct AllBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Every goal benchmark in turn, one JSON line per goal.")

    /// The goal benchmarks, in the order they run. A new goal is one line here.
    static let goals: [any GoalBenchmark.Type] = [
        IngestBenchmark.self,
        QueueBenchmark.self,
        BackfillBenchmark.self,
        RateLimitedBenchmark.self,
        DemoCallsBenchmark.self,
        FootprintBenchmark.self,
    ]

    @OptionGroup var options: BenchOptions

    func run() async throws {
        var failures: [String] = []
        for goal in Self.goals {
            var benchmark = try goal.parse([])
            benchmark.options = options
            do {
                for line in try await benchmark.measure() { print(line.json) }
            } catch let failure as BenchFailure {
                failures.append(failure.description)
            }
        }
        guard failures.isEmpty else { throw ValidationError("wrong results: " + failures.joined(separator: "; ")) }
    }
}
