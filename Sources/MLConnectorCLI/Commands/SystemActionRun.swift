import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// The path every `<system> <action>` command shares: find the connection, queue the action
/// as a job or run it now (keeping a trigger's cursor between runs), print JSON or a table.
struct SystemActionRun {
    var global: GlobalOptions
    var system: SystemKind
    var connectionID: String
    var action: String
    var arguments: ActionArguments
    var queue: Bool
    /// The cursor a trigger action reads and advances, when the action is one.
    var triggerFeed: String?

    /// What one run produced.
    struct Output<Result: Encodable> {
        var result: Result
        var cursor: String?
        var table: (headers: [String], rows: [[String]])
    }

    func run<Result: Encodable>(_ perform: (_ connection: Connection, _ pipeline: HTTPPipeline, _ cursor: String?) async throws -> Output<Result>) async throws {
        try await withStore(global) { store in
            guard let connection = try await store.connection(id: connectionID) else {
                throw CLIFailure(message: "--connection \(connectionID) does not exist; list connections with ml-connector connection list")
            }
            guard connection.system == system else {
                throw CLIFailure(message: "--connection \(connectionID) is a \(connection.system) connection; \(system) actions need a \(system) one")
            }
            if queue {
                let job = try JobRequest(kind: SystemActionJob.kind(for: system), tenant: connection.tenant, connectionID: connection.id,
                                         payload: SystemActionJob.Payload(connectionID: connection.id, action: action, arguments: arguments), maxAttempts: 5)
                let queued = try await store.enqueue(job)
                if global.json {
                    try MLConnectorCLI.Output.json(["job": queued.jobID])
                } else {
                    print("queued job \(queued.jobID); follow it with ml-connector audit --job \(queued.jobID)")
                }
                return
            }
            let cursor = try await triggerFeed.asyncMap { try await store.cursor(connectionID: connection.id, feed: $0) } ?? nil
            let output = try await perform(connection, HTTPPipeline(credentials: store), cursor)
            if let triggerFeed, let next = output.cursor {
                try await store.apply([.setCursor(connectionID: connection.id, feed: triggerFeed, value: next)])
            }
            if global.json {
                try MLConnectorCLI.Output.json(output.result)
            } else {
                MLConnectorCLI.Output.table(output.table.headers, output.table.rows)
            }
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
