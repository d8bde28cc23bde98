import ArgumentParser
import Foundation

/// `mlc-bench vault`: seals and opens secrets (a supporting figure, not one of issue 12's goals).
struct VaultBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "vault", abstract: "Seal and open secrets.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Secrets to seal and open.")
    var secrets: Int = 5000

    func validate() throws {
        guard (1...10_000_000).contains(secrets) else { throw ValidationError("--secrets must be 1–10000000, got \(secrets)") }
    }

    func measure() async throws -> [BenchLine] {
        let vault = try await Bench.withStore(databaseURL: nil) { $0.vault }
        let started = ContinuousClock.now
        for index in 0..<secrets {
            let context = "credential:c\(index)"
            let opened = try vault.open(try vault.seal(Data("secret-\(index)".utf8), context: context), context: context)
            guard opened == Data("secret-\(index)".utf8) else { throw BenchFailure(benchmark: "vault", problem: "secret \(index) opened to other bytes") }
        }
        let rate = Double(secrets) / max((ContinuousClock.now - started).seconds, 1e-9)
        return [BenchLine(benchmark: "vault", figure: rate, unit: "secrets/s", goal: "none (supporting figure)", met: true, counts: ["secrets": secrets])]
    }
}
