import ArgumentParser
import ConnectorKit
import Engine
import Foundation
import Store

/// Many workers hammering one coalescing key: each enqueues, claims with a short lease, and
/// either runs the job (logging when it started and ended) or abandons it as a crashed worker
/// would, leaving a running job whose lease runs out. The test reads every process's log and
/// checks that no two runs of the key ever overlapped.
struct Hammer: AsyncParsableCommand {
    @OptionGroup var store: StoreOptions

    @Option(help: "Workers in this process.")
    var workers: Int = 4

    @Option(help: "How long to hammer, in seconds.")
    var seconds: Double = 5

    @Option(help: "Lease in milliseconds.")
    var leaseMs: Int = 120

    @Option(help: "Percent of claims abandoned without finishing.")
    var abandonPercent: Int = 25

    @Option(help: "File to append `run|abandon START END` lines to (epoch microseconds).")
    var log: String

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
        guard seconds.isFinite, (0...3600).contains(seconds) else { throw ValidationError("--seconds must be 0–3600, got \(seconds)") }
        guard (1...3_600_000).contains(leaseMs) else { throw ValidationError("--lease-ms must be 1–3600000, got \(leaseMs)") }
        guard (0...100).contains(abandonPercent) else { throw ValidationError("--abandon-percent must be 0–100, got \(abandonPercent)") }
    }

    func run() async throws {
        let store = try await store.open()
        let handle = try JobLog(path: log)
        let until = Date().addingTimeInterval(seconds)
        let lease = Duration.milliseconds(leaseMs)
        let abandonPercent = abandonPercent
        let pid = ProcessInfo.processInfo.processIdentifier
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask {
                    while Date() < until {
                        try await store.enqueue(JobRequest(kind: "drill.key", coalesceKey: "hammer", payload: "{}"))
                        let now = Date()
                        for claim in try await store.claimJobs(worker: "hammer-\(pid)#\(index)", kinds: ["drill.key"], limit: 2, lease: lease, now: now) {
                            let started = Self.micros(Date())
                            if Int.random(in: 0..<100) < abandonPercent {
                                // As a crashed worker: the job stays running until its lease ends.
                                handle.append("abandon \(started) \(Self.micros(now) + Int64(leaseMs) * 1000) \(claim.job.id)")
                                continue
                            }
                            try await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
                            handle.append("run \(started) \(Self.micros(Date())) \(claim.job.id)")
                            try? await store.completeJob(claim, writes: [], audit: AuditEntry(action: "drill.key", outcome: .succeeded), now: Date())
                        }
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0...4)))
                    }
                }
            }
            try await group.waitForAll()
        }
        await store.close()
        print("hammered")
    }

    static func micros(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1_000_000) }
}
