import ArgumentParser
import AsyncHTTPClient
import ConnectorKit
import Engine
import Foundation
import Logging
import ServiceLifecycle
import Store

/// `mlc-drill`: runs the real worker pool and HTTP pipeline in a separate process, so tests
/// can prove what must hold across processes: no job run twice, a killed worker's job run
/// again, a refresh token spent once.
@main
struct MLCDrill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlc-drill",
        abstract: "Cross-process drills for ml-connector's tests.",
        subcommands: [Drain.self, Hang.self, RefreshStorm.self, Hammer.self]
    )
}

/// Options shared by the drills.
struct StoreOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL; SQLite in --data-dir when absent.")
    var databaseURL: String?

    @Option(help: "Data directory (SQLite file; the master key comes from ML_CONNECTOR_MASTER_KEY).")
    var dataDir: String

    func open() async throws -> SQLStore {
        try await SQLStore.open(databaseURL: databaseURL, dataDirectory: dataDir)
    }
}

/// Appends each job id it runs to a log file, then exits when the queue is empty.
struct Drain: AsyncParsableCommand {
    @OptionGroup var store: StoreOptions

    @Option(help: "Workers in this process.")
    var workers: Int = 4

    @Option(help: "File to append one line per job run to.")
    var log: String

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
    }

    func run() async throws {
        let store = try await store.open()
        let handle = try JobLog(path: log)
        let handler = CountingHandler(log: handle)
        let runner = JobRunner(store: store, registry: JobRegistry([handler]), retry: RetrySchedule(base: .milliseconds(50), cap: .milliseconds(200)), lease: .seconds(30))
        let pool = WorkerPool(runner: runner, workers: workers, idlePoll: .milliseconds(50), shutdownGrace: .seconds(5), workerID: "drill-\(ProcessInfo.processInfo.processIdentifier)")
        let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: Logger(label: "drill")))
        let monitor = Task {
            var idleChecks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                let counts = (try? await store.jobCounts()) ?? [:]
                idleChecks = (counts[.pending] ?? 0) + (counts[.running] ?? 0) == 0 ? idleChecks + 1 : 0
                if idleChecks >= 3 {
                    await group.triggerGracefulShutdown()
                    return
                }
            }
        }
        try await group.run()
        monitor.cancel()
        await store.close()
        print("drained")
    }
}

/// Runs `drill.count` jobs: records the run, takes a moment, succeeds.
struct CountingHandler: JobHandler {
    let kind = "drill.count"
    let log: JobLog

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        log.append("\(job.id) \(ProcessInfo.processInfo.processIdentifier)")
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...2)))
        return JobOutcome(sourceRef: "drill:job:\(job.id)")
    }
}

/// Claims `drill.hang` jobs and never finishes them: the test kills this process mid-job.
struct Hang: AsyncParsableCommand {
    @OptionGroup var store: StoreOptions

    @Option(help: "Lease in milliseconds.")
    var leaseMs: Int = 1000

    func validate() throws {
        guard (1...3_600_000).contains(leaseMs) else { throw ValidationError("--lease-ms must be 1–3600000, got \(leaseMs)") }
    }

    func run() async throws {
        let store = try await store.open()
        while true {
            if let claim = try await store.claimJobs(worker: "hang-\(ProcessInfo.processInfo.processIdentifier)", kinds: ["drill.hang"], limit: 1, lease: .milliseconds(leaseMs), now: Date()).first {
                print("claimed \(claim.job.id)")
                fflush(nil)
                // No heartbeats and no handler: the job stays claimed until this process is
                // killed, and then its lease runs out.
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Fires concurrent authenticated calls through the pipeline; prints how many succeeded.
struct RefreshStorm: AsyncParsableCommand {
    @OptionGroup var store: StoreOptions

    @Option(help: "The connection to call with.")
    var connection: String

    @Option(help: "Concurrent calls.")
    var calls: Int = 50

    @Option(help: "Path to GET on the connection's api base URL.")
    var path: String = "/resource"

    func validate() throws {
        guard (1...10_000).contains(calls) else { throw ValidationError("--calls must be 1–10000, got \(calls)") }
    }

    func run() async throws {
        let store = try await store.open()
        guard let connection = try await store.connection(id: connection) else { throw ValidationError("no connection \(self.connection)") }
        let pipeline = HTTPPipeline(credentials: store)
        let provider = ProviderDescription(system: connection.system, defaultBaseURLs: [:],
                                           tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/oauth/token"),
                                           rateLimit: RateLimit(requests: 100_000, per: .seconds(1), burst: 10_000))
        let url = try connection.baseURL("api", provider: provider) + path
        let results = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    do {
                        _ = try await pipeline.send(OutboundRequest(method: .GET, url: url), connection: connection, provider: provider)
                        return nil
                    } catch {
                        return String(describing: error)
                    }
                }
            }
            var errors: [String] = []
            for await result in group { if let result { errors.append(result) } }
            return errors
        }
        await store.close()
        let data = try JSONSerialization.data(withJSONObject: ["ok": calls - results.count, "errors": results])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// An append-only file of lines, safe to write from many tasks (one write(2) per line with
/// O_APPEND, which the kernel keeps whole).
final class JobLog: Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw ValidationError("cannot open \(path)") }
    }

    func append(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
