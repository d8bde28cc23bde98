import ArgumentParser
import Flows
import Foundation
import Sandbox

/// `mlc-bench rate-limited`: both sandboxes enforce L requests a second and the connections
/// declare the same limit; N billable tasks go through FreshBooks ↔ Asana from a first poll.
/// The figure is the wall time from `apply` to the N-th record over N/L, N the FreshBooks
/// records created (the side the integration writes); the vendor may answer one 429 at most.
struct RateLimitedBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "rate-limited", abstract: "FreshBooks ↔ Asana under a vendor rate limit: N records in ≤ 1.05 × N/L, no 429 after the first.")

    @OptionGroup var options: BenchOptions

    @Option(help: "The limit L, requests per second, enforced by each sandbox over a one-second window (default 10; 40 with --quick).")
    var limit: Int?

    @Option(help: "Asana projects (default 10; 2 with --quick).")
    var projects: Int?

    @Option(help: "Completed billable tasks per project (default 60; 40 with --quick).")
    var tasks: Int?

    static let ratioGoal = 1.05

    func validate() throws {
        if let limit, !(1...10_000).contains(limit) { throw ValidationError("--limit must be 1–10000 requests a second, got \(limit)") }
        if let projects, !(1...1000).contains(projects) { throw ValidationError("--projects must be 1–1000, got \(projects)") }
        if let tasks, !(1...1000).contains(tasks) { throw ValidationError("--tasks must be 1–1000, got \(tasks)") }
    }

    func measure() async throws -> [BenchLine] {
        let perSecond = limit ?? options.size(full: 10, quick: 40)
        let projectCount = projects ?? options.size(full: 10, quick: 2)
        let taskCount = tasks ?? options.size(full: 60, quick: 40)
        return try await IntegrationRig.run(databaseURL: options.databaseURL, rateLimit: "\(perSecond)/1s") { rig in
            var plan = FaultPlan()
            plan.rateLimitPerMinute = perSecond
            plan.rateLimitWindowSeconds = 1
            rig.freshbooks.setFaults(plan)
            rig.asana.setFaults(plan)
            let seeded = rig.seed(projects: projectCount, tasksPerProject: taskCount)
            let expected = projectCount * taskCount
            let before = rig.calls
            let started = ContinuousClock.now
            var firstWrite: Duration?
            var lastRecord: Duration = .zero
            try await rig.withWorkers(4) {
                _ = try await IntegrationRegistry().apply(yaml: rig.yaml(amountField: seeded.amountField), context: rig.context)
                // Timed: until the N-th record exists. Then, untimed, until nothing more is due,
                // so that the checks below see the settled accounts.
                try await Bench.waitUntil("\(expected) invoices", benchmark: "rate-limited", timeout: .seconds(3600), interval: .milliseconds(5)) {
                    if firstWrite == nil, rig.freshbooks.requestCounts.contains(where: { $0.key.hasPrefix("POST") }) { firstWrite = ContinuousClock.now - started }
                    return rig.freshbooks.invoiceCount >= expected
                }
                lastRecord = ContinuousClock.now - started
                try await rig.settle("\(expected) invoices", timeout: .seconds(3600)) { rig.freshbooks.invoiceCount >= expected }
            }
            let seconds = lastRecord.seconds
            let split = CallSplit(before: before, after: rig.calls)
            let rateLimited = rig.freshbooks.faults.rateLimitedCount + rig.asana.faults.rateLimitedCount
            try rig.checkNoDuplicates(benchmark: "rate-limited")
            let inventory = rig.freshbooks.inventory
            guard inventory.invoiceNumbers.count == expected else {
                throw BenchFailure(benchmark: "rate-limited", problem: "\(expected) billable tasks, \(inventory.invoiceNumbers.count) invoices")
            }
            let created = expected + inventory.clientOrganizations.count + inventory.projectTitles.count
            let ideal = Double(created) / Double(perSecond)
            let ratio = seconds / ideal
            return [BenchLine(benchmark: "rate-limited", figure: ratio, unit: "× N/L", goal: "N records in ≤ 1.05 × N/L, no 429 after the first", met: ratio <= Self.ratioGoal && rateLimited <= 1,
                              store: options.storeName, counts: ["records": created, "limit_per_second": perSecond, "seconds": seconds, "ideal_seconds": ideal, "first_freshbooks_write_seconds": firstWrite?.seconds ?? 0, "rate_limited": rateLimited,
                                                                 "reads": split.reads, "writes": split.writes, "calls_by_system": split.bySystem])]
        }
    }
}
