import Foundation

/// Runs the package's own executables (`ml-connector`, `mlc-drill`) from the build folder the
/// tests were built into.
public enum PackageExecutable {
    /// The build products folder (the test bundle lives there too).
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the runner is <products>/ml-connectorPackageTests.xctest; on macOS the bundle's
        // binary is nested inside it.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("mlc-drill").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// The path of executable `name`.
    public static func path(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    /// Starts `name` with `arguments`; stdout and stderr go to pipes.
    public static func start(_ name: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> RunningProcess {
        let process = makeProcess(name, arguments, environment: extra)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process: process, output: output, errors: errors)
    }

    /// Runs `name` to completion, feeding `input` on standard input. The waiting happens on a
    /// dispatch thread: blocking Swift's cooperative threads would starve servers the child
    /// talks to in this very process.
    public static func run(_ name: String, _ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) async throws -> ProcessResult {
        try await offPool { try runBlocking(name, arguments, input: input, environment: extra) }
    }

    /// Runs any executable to completion off the cooperative pool.
    public static func runExecutable(_ path: String, _ arguments: [String]) async throws -> ProcessResult {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            return RunningProcess(process: process, output: output, errors: errors).finishBlocking()
        }
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    static func runBlocking(_ name: String, _ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) throws -> ProcessResult {
        let process = makeProcess(name, arguments, environment: extra)
        let output = Pipe()
        let errors = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        return RunningProcess(process: process, output: output, errors: errors).finishBlocking()
    }
}

extension PackageExecutable {
    /// A process for executable `name` with this process's environment plus `extra`.
    static func makeProcess(_ name: String, _ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        return process
    }
}

/// What a finished process printed.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Holds the stderr bytes read on another thread; written once before `group.wait()` returns.
final class ErrBox: @unchecked Sendable {
    var data = Data()
}

/// A child process a test started.
public final class RunningProcess: @unchecked Sendable {
    // Process and Pipe are not Sendable; each instance is used by the one test that made it.
    public let process: Process
    let output: Pipe
    let errors: Pipe

    init(process: Process, output: Pipe, errors: Pipe) {
        self.process = process
        self.output = output
        self.errors = errors
    }

    /// Reads stdout until a line containing `marker` appears (or the process ends); after
    /// `timeout` the process is killed, which ends the read, and the answer is nil.
    public func waitForLine(containing marker: String, timeout: Duration = .seconds(120)) async -> String? {
        let pid = process.processIdentifier
        let deadline = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        defer { deadline.cancel() }
        return (try? await PackageExecutable.offPool { [self] in waitForLineBlocking(containing: marker) }) ?? nil
    }

    func waitForLineBlocking(containing marker: String) -> String? {
        var buffer = ""
        let handle = output.fileHandleForReading
        while true {
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer += String(decoding: data, as: UTF8.self)
            if let line = buffer.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    public func interrupt() {
        kill(process.processIdentifier, SIGINT)
    }

    /// Sends SIGKILL: no cleanup, no release, exactly like a crash.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the process to end and returns what it printed.
    public func finish() async -> ProcessResult {
        (try? await PackageExecutable.offPool { [self] in finishBlocking() }) ?? ProcessResult(status: -1, stdout: "", stderr: "")
    }

    /// Reads both pipes at once (a child filling one while we wait on the other would hang).
    func finishBlocking() -> ProcessResult {
        let group = DispatchGroup()
        let errBox = ErrBox()
        group.enter()
        DispatchQueue.global().async { [errors] in
            errBox.data = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let err = errBox.data
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}
