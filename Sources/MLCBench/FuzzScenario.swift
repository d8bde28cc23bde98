import ArgumentParser
import ConnectorKit
import Foundation
import Fuzzing

/// `mlc-bench fuzz --inputs N`: every parser of outside input over N hostile inputs each.
/// A crash ends the run (that is the finding); an untyped error or a broken bound is reported
/// and fails the command.
struct FuzzScenario: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuzz", abstract: "Run every webhook verifier and parser over hostile inputs.")

    @Option(help: "Inputs per target.")
    var inputs: Int = 1_000_000

    @Option(help: "Seed; the same seed replays the same inputs.")
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON object per target.")
    var json = false

    func validate() throws {
        guard (1...100_000_000).contains(inputs) else { throw ValidationError("--inputs must be 1–100000000, got \(inputs)") }
    }

    func run() throws {
        var failed = false
        for target in FuzzTarget.all {
            let started = ContinuousClock.now
            guard let tally = FuzzRunner.run([target], inputs: inputs, seed: seed).first else {
                throw BenchFailure(benchmark: "fuzz", problem: "the runner returned no tally for \(target.name)")
            }
            let elapsed = ContinuousClock.now - started
            failed = failed || !tally.problems.isEmpty
            if json {
                let object: [String: Any] = ["benchmark": "fuzz", "target": tally.name, "inputs": tally.inputs, "accepted": tally.accepted, "refused": tally.refused,
                                             "problems": tally.problems, "seconds": elapsed.seconds]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("fuzz \(tally.name): \(tally.inputs) inputs, \(tally.accepted) accepted, \(tally.refused) refused with typed errors, \(tally.problems.count) problems (\(elapsed))")
                for problem in tally.problems { print("  problem: \(problem)") }
            }
        }
        if failed { throw ExitCode.failure }
    }
}
