import Foundation
import TestSupport
import Testing

/// `mlc-bench` refuses a count it cannot run (negative, zero, absurd) with one line, before
/// seeding or looping: `0..<-1` would trap and an empty latency list would be indexed.
@Suite struct BenchFlagTests {
    @Test(arguments: [
        (["fuzz", "--inputs=-1"], "--inputs"),
        (["fuzz", "--inputs", "0"], "--inputs"),
        (["fuzz", "--inputs", "1e20"], "--inputs"),
        (["read", "--projects=-1"], "--projects"),
        (["read", "--limit", "0"], "--limit"),
        (["ingest-in-process", "--deliveries", "0"], "--deliveries"),
        (["queue", "--jobs=-5"], "--jobs"),
        (["queue", "--workers", "100000"], "--workers"),
        (["vault", "--secrets", "0"], "--secrets"),
        (["vault", "--secrets", "1e20"], "--secrets"),
        (["ingest", "--deliveries=-1"], "--deliveries"),
        (["ingest", "--deliveries", "20000000"], "--deliveries"),
        (["ingest", "--paced-seconds", "0"], "--paced-seconds"),
        (["ingest", "--rate", "1e20"], "--rate"),
        (["ingest", "--rate", "100000", "--paced-seconds", "3600"], "--paced-seconds"),
        (["ingest", "--connections", "0"], "--connections"),
        (["ingest", "--workers=-1"], "--workers"),
        (["backfill", "--projects", "0"], "--projects"),
        (["backfill", "--tasks", "1e20"], "--tasks"),
        (["backfill", "--workers", "0"], "--workers"),
        (["rate-limited", "--limit=-1"], "--limit"),
        (["rate-limited", "--projects", "1e20"], "--projects"),
        (["rate-limited", "--tasks", "0"], "--tasks"),
        (["footprint", "--idle-seconds=-1"], "--idle-seconds"),
        (["footprint", "--idle-seconds", "1e20"], "--idle-seconds"),
    ])
    func aCountOutOfRangeIsRefused(_ arguments: [String], _ mentions: String) async throws {
        let result = try await PackageExecutable.run("mlc-bench", arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "ran anyway: \(result.stdout)")
    }

    /// `mlc-drill`, the tests' own load tool, bounds its counts the same way.
    @Test(arguments: [
        (["drain", "--workers=-1", "--log", "/dev/null"], "--workers"),
        (["hammer", "--seconds", "1e20", "--log", "/dev/null"], "--seconds"),
        (["hammer", "--abandon-percent", "200", "--log", "/dev/null"], "--abandon-percent"),
        (["hang", "--lease-ms=-1"], "--lease-ms"),
        (["refresh-storm", "--connection", "c", "--calls=-1"], "--calls"),
    ])
    func aDrillCountOutOfRangeIsRefused(_ arguments: [String], _ mentions: String) async throws {
        let result = try await PackageExecutable.run("mlc-drill", arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "ran anyway: \(result.stdout)")
    }
}
