import ArgumentParser
import Store

/// `ml-connector jobs`: the queue.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List jobs in the queue.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only jobs in this state: pending, running, succeeded, dead, merged.")
    var state: String?

    @Option(help: "Only this integration's jobs.")
    var integration: String?

    @Option(help: "At most this many.")
    var limit: Int = 50

    func validate() throws {
        if let state, JobState(rawValue: state) == nil {
            throw ValidationError("--state '\(state)' is not one of: \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await withStore(global) { store in
            let jobs = try await store.jobs(state: state.flatMap(JobState.init(rawValue:)), integrationID: integration, limit: limit)
            if global.json {
                try Output.json(jobs)
            } else {
                Output.table(["ID", "KIND", "STATE", "FAILURES", "CLAIMS", "RUN AT", "INTEGRATION", "LAST ERROR"], jobs.map { job in
                    [job.id, job.kind, job.state.rawValue, "\(job.failures)/\(job.maxAttempts)", "\(job.attempts)", Output.time(job.runAt), job.integrationID ?? "-", String((job.lastError ?? "-").prefix(60))]
                })
                let counts = try await store.jobCounts()
                print(JobState.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: "  "))
            }
        }
    }
}
