import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `ml-connector <system> <action> --connection ID [--flag value …]`: one command for every
/// system's actions and triggers, generated from the connectors' descriptors. `main` routes
/// `ml-connector asana …` here as `ml-connector action asana …`.
struct SystemActionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Run one action of a system (also written ml-connector <system> <action>).",
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The system.") var system: String
    @Argument(help: "The action.") var action: String
    @Option(help: "The connection id.") var connection: String
    @Flag(help: "Queue the action as a job for a running server instead of running it now.") var queue = false
    @Option(help: "Give up after this many seconds, waits for retries included.") var timeout: Int = 60
    @Argument(parsing: .allUnrecognized, help: "The action's flags.") var flags: [String] = []

    func validate() throws {
        guard (1...86_400).contains(timeout) else { throw ValidationError("--timeout must be 1–86400 seconds, got \(timeout)") }
    }

    func run() async throws {
        let connector: any SystemConnector
        let systemAction: SystemAction
        let arguments: ActionArguments
        do {
            connector = try SystemCatalog.registered(SystemKind(system))
            systemAction = try connector.action(named: action)
            arguments = try ActionFlags.parse(flags, for: systemAction.descriptor)
            try systemAction.descriptor.check(arguments)
        } catch {
            throw CLIFailure(error)
        }
        try await withStore(global) { store in
            guard let connection = try await store.connection(id: self.connection) else {
                throw CLIFailure(message: "--connection \(self.connection) does not exist; list connections with ml-connector connection list")
            }
            guard connection.system == connector.system else {
                throw CLIFailure(message: "--connection \(connection.id) is a \(connection.system) connection; \(connector.system) actions need a \(connector.system) one")
            }
            if queue {
                guard systemAction.descriptor.triggerCursor == nil else {
                    throw CLIFailure(message: "\(action) is a trigger: it keeps a cursor between runs, so run it without --queue")
                }
                let queued = try await store.enqueue(try SystemActionJob.request(connection: connection, action: systemAction.descriptor, arguments: arguments))
                if global.json { try Output.json(["job": queued.jobID]) } else { print("queued job \(queued.jobID); follow it with ml-connector audit --job \(queued.jobID)") }
                return
            }
            let cursorName = systemAction.descriptor.triggerCursor?(arguments)
            let cursor = try await cursorName.asyncMap { try await store.cursor(connectionID: connection.id, feed: $0) } ?? nil
            // A bulk list prints its records as pages arrive instead of after the last one.
            let printer = systemAction.descriptor.streams ? StreamPrinter(json: global.json) : nil
            let call = ActionCall(pipeline: HTTPPipeline(credentials: store), connection: connection, arguments: arguments, cursor: cursor, emit: printer?.sink)
            // Every wait is visible (a line per retry) and the whole action ends by --timeout.
            let seconds = timeout
            let result = try await Deadline.run(seconds: seconds + 2, what: "\(connector.provider.displayName) \(action)") {
                try await RequestScope.withDeadline(after: .seconds(seconds), observer: { notice in
                    FileHandle.standardError.write(Data("\(notice)\n".utf8))
                }) {
                    try await systemAction.run(call)
                }
            }
            if let printer {
                await printer.finish(columns: result.columns)
            } else if global.json {
                try Output.json(result)
            } else {
                Output.table(result.columns, result.rows)
            }
            // The cursor moves only once the changes are printed: a broken pipe loses nothing.
            fflush(nil)
            if let cursorName, let next = result.cursor {
                try await store.apply([.setCursor(connectionID: connection.id, feed: cursorName, value: next)])
            }
        }
    }
}

/// An overall limit on interactive work: the body is cancelled and the command fails with a
/// line naming what timed out.
enum Deadline {
    static func run<Value: Sendable>(seconds: Int, what: String, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CLIFailure(message: "\(what) did not finish within \(seconds) s (--timeout); nothing more was sent")
            }
            return value
        }
    }
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
