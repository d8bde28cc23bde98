import ArgumentParser
import Asana
import Flows
import Foundation
import Store

/// `mlc-bench backfill`: with the sandboxes' limits off, seeds Asana with `projects` projects of
/// completed billable tasks, applies the FreshBooks ↔ Asana integration (`per-task` invoices) and
/// times its first poll until every task is an invoice and the queue is idle. Then forgets every
/// Asana watermark so the next poll reads everything again, and checks that this second full
/// poll writes nothing. Afterwards no FreshBooks record may exist twice.
struct BackfillBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "backfill", abstract: "A first poll of 10,000 Asana tasks through FreshBooks ↔ Asana; then a second full poll.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Asana projects (default 50; 4 with --quick).")
    var projects: Int?

    @Option(help: "Completed billable tasks per project (default 200; 25 with --quick).")
    var tasks: Int?

    @Option(help: "Workers draining the queue.")
    var workers: Int = 4

    /// Issue 12's goals.
    static let recordsGoal = 1_000.0
    static let writesGoal = 1.05

    func validate() throws {
        if let projects, !(1...1000).contains(projects) { throw ValidationError("--projects must be 1–1000, got \(projects)") }
        if let tasks, !(1...1000).contains(tasks) { throw ValidationError("--tasks must be 1–1000, got \(tasks)") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
    }

    func measure() async throws -> [BenchLine] {
        let projectCount = projects ?? options.size(full: 50, quick: 4)
        let taskCount = tasks ?? options.size(full: 200, quick: 25)
        return try await IntegrationRig.run(databaseURL: options.databaseURL, rateLimit: "1000000/1s") { rig in
            try await run(rig, projectCount: projectCount, taskCount: taskCount)
        }
    }

    private func run(_ rig: IntegrationRig, projectCount: Int, taskCount: Int) async throws -> [BenchLine] {
        let seeded = rig.seed(projects: projectCount, tasksPerProject: taskCount)
        let expected = projectCount * taskCount
        let yaml = rig.yaml(amountField: seeded.amountField)
        let before = rig.calls
        let started = ContinuousClock.now
        let (first, second) = try await rig.withWorkers(workers) {
            _ = try await IntegrationRegistry().apply(yaml: yaml, context: rig.context)
            try await rig.settle("\(expected) invoices", timeout: .seconds(600)) { rig.freshbooks.invoiceCount >= expected }
            let seconds = (ContinuousClock.now - started).seconds
            let afterFirst = rig.calls
            // Forget every Asana watermark: the next poll of each feed crawls all it watches again.
            let feeds = seeded.projects.map(AsanaFeedName.project) + [AsanaFeedName.team(rig.asana.teamGID)]
            try await rig.store.apply(feeds.map { .setCursor(connectionID: rig.asanaConnection.id, feed: $0, value: "") })
            _ = try await IntegrationRegistry().apply(yaml: yaml, context: rig.context)
            let secondStarted = ContinuousClock.now
            try await rig.settle("the second full poll", timeout: .seconds(600)) { true }
            return ((seconds: seconds, split: CallSplit(before: before, after: afterFirst)), (seconds: (ContinuousClock.now - secondStarted).seconds, split: CallSplit(before: afterFirst, after: rig.calls)))
        }
        try rig.checkNoDuplicates(benchmark: "backfill")
        let inventory = rig.freshbooks.inventory
        guard inventory.invoiceNumbers.count == expected, inventory.invoiceLines == expected else {
            throw BenchFailure(benchmark: "backfill", problem: "\(expected) billable tasks, \(inventory.invoiceNumbers.count) invoices with \(inventory.invoiceLines) lines")
        }
        guard inventory.clientOrganizations.count == projectCount, inventory.projectTitles.count == projectCount else {
            throw BenchFailure(benchmark: "backfill", problem: "\(projectCount) Asana projects, \(inventory.clientOrganizations.count) clients and \(inventory.projectTitles.count) projects")
        }
        // The second poll must have read every project again, or its zero writes prove nothing.
        guard second.split.reads >= projectCount else { throw BenchFailure(benchmark: "backfill", problem: "the second full poll made \(second.split.reads) reads for \(projectCount) projects") }
        let created = expected + 2 * projectCount
        let rate = Double(created) / max(first.seconds, 1e-9)
        let writesPerRecord = Double(first.split.writes) / Double(created)
        let world: [String: any Sendable] = ["projects": projectCount, "tasks": expected, "workers": workers]
        return [
            BenchLine(benchmark: "backfill", figure: rate, unit: "records/s", goal: "≥ 1,000 records/s end to end from a first poll", met: rate >= Self.recordsGoal, store: options.storeName,
                      counts: world.merging(["part": "throughput", "created": created, "invoices": expected, "clients": projectCount, "fb_projects": projectCount, "seconds": first.seconds]) { $1 }),
            BenchLine(benchmark: "backfill", figure: writesPerRecord, unit: "writes/record", goal: "≤ 1.05 API writes per created record", met: writesPerRecord <= Self.writesGoal, store: options.storeName,
                      counts: world.merging(["part": "api-calls", "created": created, "reads": first.split.reads, "writes": first.split.writes,
                                             "reads_per_record": Double(first.split.reads) / Double(created), "calls_by_system": first.split.bySystem]) { $1 }),
            BenchLine(benchmark: "backfill", figure: Double(second.split.writes), unit: "writes", goal: "0 writes on a second full poll of unchanged records", met: second.split.writes == 0, store: options.storeName,
                      counts: world.merging(["part": "second-poll", "reads": second.split.reads, "calls_by_system": second.split.bySystem, "seconds": second.seconds]) { $1 }),
        ]
    }
}
