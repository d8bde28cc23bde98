import ArgumentParser
import Foundation

/// `mlc-bench demo-calls`: runs the built `ml-connector demo --exit --json` and reports the
/// FreshBooks ↔ Asana play's API calls by system and purpose (set-up, reads, writes, webhook
/// upkeep, and the play's own calls as people). Before issue 12 the play cost 58 FreshBooks and
/// 109 Asana calls, its own checks included.
struct DemoCallsBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "demo-calls", abstract: "The FreshBooks ↔ Asana demo's API calls by system and purpose.")

    @OptionGroup var options: BenchOptions

    /// The play's calls before issue 12: 58 FreshBooks + 109 Asana.
    static let before = 58 + 109

    func measure() async throws -> [BenchLine] {
        // The summary goes to a file, not a pipe: a demo that never closes its output cannot hold the wait.
        let summaryPath = Bench.freshDirectory() + "-summary.json"
        guard FileManager.default.createFile(atPath: summaryPath, contents: nil), let summaryFile = FileHandle(forWritingAtPath: summaryPath) else {
            throw BenchFailure(benchmark: "demo-calls", problem: "could not create \(summaryPath)")
        }
        let dataDirectory = Bench.freshDirectory()
        defer { Bench.remove(summaryPath); Bench.remove(dataDirectory) }
        let demo = try ConnectorProcess.make(["demo", "--exit", "--json"], dataDirectory: dataDirectory)
        demo.standardOutput = summaryFile
        let status = try await ConnectorProcess.run(demo, benchmark: "demo-calls", timeout: .seconds(600))
        try summaryFile.close()
        guard status == 0 else { throw BenchFailure(benchmark: "demo-calls", problem: "the demo exited with status \(status)") }
        let data = FileManager.default.contents(atPath: summaryPath) ?? Data()
        guard let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let summary = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
              let agency = (summary["integrations"] as? [String: Any])?["agency-billing"] as? [String: Any],
              let calls = agency["apiCalls"] as? [String: Int], let purposes = agency["apiCallsByPurpose"] as? [String: [String: Int]] else {
            throw BenchFailure(benchmark: "demo-calls", problem: "the demo's JSON summary has no agency-billing calls by purpose")
        }
        guard (agency["duplicates"] as? Int) == 0 else { throw BenchFailure(benchmark: "demo-calls", problem: "the demo found duplicates") }
        for (system, count) in calls where purposes[system]?.values.reduce(0, +) != count {
            throw BenchFailure(benchmark: "demo-calls", problem: "\(system): \(count) calls, purposes add up to \(purposes[system]?.values.reduce(0, +) ?? 0)")
        }
        let total = calls.values.reduce(0, +)
        let people = purposes.values.reduce(0) { $0 + ($1["people"] ?? 0) }
        return [BenchLine(benchmark: "demo-calls", figure: Double(total), unit: "calls",
                          goal: "fewer than the 167 calls (58 FreshBooks + 109 Asana) of the FreshBooks ↔ Asana play before; each remaining call explained in Benchmarks/README.md",
                          met: total < Self.before, counts: ["by_system": calls, "by_purpose": purposes, "integration_calls": total - people, "people_calls": people, "before": Self.before])]
    }
}
