import ArgumentParser

/// The options every goal benchmark shares.
struct BenchOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL; SQLite in a temporary directory when absent.")
    var databaseURL: String?

    @Flag(help: "A run of seconds that checks correctness (nothing lost or duplicated), for CI; its speed figures mean little.")
    var quick = false

    /// `sqlite` or `postgres`, for the lines.
    var storeName: String { databaseURL == nil ? "sqlite" : "postgres" }

    /// `full` at full size, a small fixed size under `--quick`.
    func size(full: Int, quick small: Int) -> Int { quick ? small : full }
}

/// A benchmark of one of issue 12's goals: a subcommand of its own, and one step of the
/// default run. It throws `BenchFailure` when it finds the system wrong.
protocol GoalBenchmark: AsyncParsableCommand {
    var options: BenchOptions { get set }

    /// Runs the benchmark and returns its lines.
    func measure() async throws -> [BenchLine]
}

extension GoalBenchmark {
    /// Prints the lines, one JSON object each.
    func run() async throws {
        for line in try await measure() { print(line.json) }
    }
}
