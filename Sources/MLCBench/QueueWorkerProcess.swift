import ArgumentParser
import Engine
import Foundation
import Store

/// `mlc-bench queue-worker`: one of the processes of a multi-process `queue` run. It opens the
/// shared database, says `ready`, starts its worker pool when told `go` on standard input,
/// reports `ran <count>` as it drains, and when standard input closes stops its pool and
/// writes the payload of every job it ran, one per line, to `--ran-file`.
struct QueueWorkerProcess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-worker", abstract: "One worker process of a multi-process queue run (started by mlc-bench queue).", shouldDisplay: false)

    @Option(help: "The PostgreSQL URL the queue lives in.")
    var databaseURL: String

    @Option(help: "The job kind this run enqueued.")
    var kind: String

    @Option(help: "Workers in this process.")
    var workers: Int = 4

    @Option(help: "Where to write the payloads of the jobs this process ran.")
    var ranFile: String

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
        guard !kind.isEmpty else { throw ValidationError("--kind must name the run's job kind") }
    }

    func run() async throws {
        let handler = CountingNoopHandler(kind: kind)
        try await Bench.withStore(databaseURL: databaseURL) { store in
            Self.say("ready")
            guard await Self.readLine() == "go" else { return }
            try await Bench.withWorkers(workers, store: store, registry: JobRegistry([handler])) {
                let reporter = Task {
                    var reported = -1
                    while !Task.isCancelled {
                        let ran = handler.runs
                        if ran != reported {
                            Self.say("ran \(ran)")
                            reported = ran
                        }
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                }
                // The parent closes standard input once every job has run.
                while await Self.readLine() != nil {}
                reporter.cancel()
            }
        }
        try handler.payloadsRan().joined(separator: "\n").write(toFile: ranFile, atomically: true, encoding: .utf8)
    }

    /// Writes `line` to standard output at once.
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The next line of standard input, read off the cooperative pool; nil at its end.
    private static func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Swift.readLine()) }
        }
    }
}
