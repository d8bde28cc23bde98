import Foundation

/// One measured goal of issue 12, printed as one JSON line: what was measured (`benchmark`),
/// the figure and its unit, the goal in words, whether it was met, and the raw counts behind
/// the figure so a reader can recompute it.
struct BenchLine {
    /// `ingest`, `queue`, `backfill`, `rate-limited`, `demo-calls`, `footprint`, or a
    /// supporting measurement's own name.
    var benchmark: String
    var figure: Double
    var unit: String
    var goal: String
    var met: Bool
    /// The store the run used (`sqlite` or `postgres`), when it used one.
    var store: String?
    /// The raw counts and any secondary figures, by name.
    var counts: [String: any Sendable] = [:]

    /// The line as sorted-key JSON.
    var json: String {
        var object: [String: Any] = counts
        object["benchmark"] = benchmark
        object["figure"] = (figure * 1000).rounded() / 1000
        object["unit"] = unit
        object["goal"] = goal
        object["met"] = met
        if let store { object["store"] = store }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"benchmark\":\"\(benchmark)\",\"error\":\"a count could not be written as JSON\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A benchmark found the system wrong, not slow: a job lost or run twice, a delivery not
/// enqueued exactly once, a duplicate record. `mlc-bench` exits non-zero on it, so CI's
/// `--quick` run fails; a goal not met never fails the run.
struct BenchFailure: Error, CustomStringConvertible {
    var benchmark: String
    var problem: String

    var description: String { "\(benchmark): \(problem)" }
}
