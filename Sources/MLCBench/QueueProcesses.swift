import Foundation
import Synchronization

/// The worker processes of a multi-process `queue` run: each an `mlc-bench queue-worker` on the
/// shared PostgreSQL database. They open the store, say `ready`, drain when told `go`, report
/// what they ran, and hand back the payloads of the jobs they ran when their input closes.
final class QueueProcesses: Sendable {
    private struct Child: Sendable {
        var process: Process
        var input: FileHandle
        var ranFile: String
    }

    private let children: [Child]
    /// Per child: whether it said `ready`, and the jobs it says it ran.
    private let reports: Mutex<[(ready: Bool, ran: Int)]>

    /// Starts `processes` worker processes of `workers` workers each, draining jobs of `kind`.
    init(processes: Int, workers: Int, kind: String, databaseURL: String) throws {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        reports = Mutex(Array(repeating: (false, 0), count: processes))
        var children: [Child] = []
        var outputs: [FileHandle] = []
        for index in 0..<processes {
            let process = Process()
            let input = Pipe(), output = Pipe()
            let ranFile = Bench.freshDirectory() + "-ran-\(index)"
            process.executableURL = own
            process.arguments = ["queue-worker", "--database-url", databaseURL, "--kind", kind, "--workers", "\(workers)", "--ran-file", ranFile]
            process.standardInput = input
            process.standardOutput = output
            children.append(Child(process: process, input: input.fileHandleForWriting, ranFile: ranFile))
            outputs.append(output.fileHandleForReading)
        }
        self.children = children
        for (index, child) in children.enumerated() {
            try child.process.run()
            Self.readReports(from: outputs[index], into: report(of: index))
        }
    }

    /// Whether every process said `ready`.
    var allReady: Bool { reports.withLock { $0.allSatisfy(\.ready) } }

    /// The jobs the processes say they ran, together.
    var ran: Int { reports.withLock { $0.reduce(0) { $0 + $1.ran } } }

    /// Throws unless every process is still running.
    func checkAlive(benchmark: String) throws {
        if let gone = children.first(where: { !$0.process.isRunning }) {
            throw BenchFailure(benchmark: benchmark, problem: "queue-worker process \(gone.process.processIdentifier) ended early with status \(gone.process.terminationStatus)")
        }
    }

    /// Tells every process to start draining.
    func go() {
        for child in children { child.input.write(Data("go\n".utf8)) }
    }

    /// Closes every process's input, waits for each to stop its pool and exit, and returns
    /// how many times each payload ran across them.
    func finish(benchmark: String, timeout: Duration) async throws -> [String: Int] {
        for child in children { try? child.input.close() }
        let deadline = ContinuousClock.now + timeout
        while children.contains(where: { $0.process.isRunning }) {
            guard ContinuousClock.now < deadline else {
                terminate()
                throw BenchFailure(benchmark: benchmark, problem: "queue-worker processes did not stop within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        var runs: [String: Int] = [:]
        for child in children {
            guard child.process.terminationStatus == 0 else {
                throw BenchFailure(benchmark: benchmark, problem: "a queue-worker process exited with status \(child.process.terminationStatus)")
            }
            defer { Bench.remove(child.ranFile) }
            let text = try String(contentsOfFile: child.ranFile, encoding: .utf8)
            for payload in text.split(separator: "\n") { runs[String(payload), default: 0] += 1 }
        }
        return runs
    }

    /// Stops every process still running.
    func terminate() {
        for child in children where child.process.isRunning { child.process.terminate() }
    }

    /// What to do with a line from process `index`: note it ready, or note how many it ran.
    private func report(of index: Int) -> @Sendable (String) -> Void {
        { [weak self] line in
            self?.reports.withLock { reports in
                if line == "ready" {
                    reports[index].ready = true
                } else if line.hasPrefix("ran "), let ran = Int(line.dropFirst(4)) {
                    reports[index].ran = ran
                }
            }
        }
    }

    /// Reads `handle` line by line on a thread of its own until it ends, passing each line on.
    private static func readReports(from handle: FileHandle, into report: @escaping @Sendable (String) -> Void) {
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    report(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
        }
    }
}
