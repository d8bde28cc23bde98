import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// Gap 3 of issue 9, across processes: several `mlc-drill hammer` processes claim one key
/// with short leases, a quarter of their claims abandoned as by a crash; no two runs of the key
/// may ever overlap. `MLC_HAMMER_SECONDS` makes it longer.
@Suite struct OneKeyHammerTests {
    @Test(arguments: TestDatabase.available)
    func gap3_manyProcessesHammeringOneKeyNeverRunItTwiceAtOnce(_ database: TestDatabase) async throws {
        let test = try await database.makeStore()
        do {
            let seconds = ProcessInfo.processInfo.environment["MLC_HAMMER_SECONDS"] ?? "4"
            let log = test.dataDirectory + "/hammer.log"
            let processes = database == .postgres ? 4 : 2
            let drills = try (0..<processes).map { _ in
                try PackageExecutable.start("mlc-drill", ["hammer", "--workers", "4", "--seconds", seconds, "--lease-ms", "150", "--log", log] + test.processArguments,
                                            environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
            }
            for drill in drills {
                let result = await drill.finish()
                #expect(result.status == 0, "\(result.stderr.suffix(2000))")
            }
            let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { line -> (kind: Substring, start: Int64, end: Int64, job: Substring) in
                let parts = line.split(separator: " ")
                return (parts[0], Int64(parts[1])!, Int64(parts[2])!, parts[3])
            }.sorted { $0.start < $1.start }
            #expect(runs.filter { $0.kind == "run" }.count >= 5, "too few runs to prove anything: \(runs.count)")
            #expect(runs.contains { $0.kind == "abandon" })
            // Times are epoch microseconds from one machine's clock; a millisecond covers rounding
            // of the stored lease.
            var overlaps: [String] = []
            // No runs at all is a failure, not a crash of the test process.
            var latest = try #require(runs.first)
            for next in runs.dropFirst() {
                if next.start + 1000 < latest.end {
                    overlaps.append("\(latest.kind) \(latest.job) [\(latest.start), \(latest.end)] overlaps \(next.kind) \(next.job) from \(next.start)")
                }
                if next.end > latest.end { latest = next }
            }
            #expect(overlaps.isEmpty, "\(overlaps.prefix(3))")
        } catch {
            await test.store.close()
            throw error
        }
        await test.store.close()
    }
}
