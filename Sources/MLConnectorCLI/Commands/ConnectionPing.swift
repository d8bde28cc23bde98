import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `connection ping ID`: one authenticated call, to prove the connection works.
struct ConnectionPing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Call the system with the stored credential and report who answered and how fast.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connection id.")
    var id: String

    struct Report: Encodable {
        var connection: String
        var system: String
        var ok: Bool
        var account: String?
        var scopes: [String]
        var latencyMs: Int
    }

    func run() async throws {
        try await withStore(global) { store in
            guard let connection = try await store.connection(id: id) else {
                throw CLIFailure(message: "no connection \(id); list them with ml-connector connection list")
            }
            let connector = try SystemCatalog.registered(connection.system)
            let started = ContinuousClock.now
            let account = try await connector.ping(pipeline: HTTPPipeline(credentials: store), connection: connection)
            let elapsed = ContinuousClock.now - started
            let scopes = try await store.credential(for: connection.id).credential.scopes
            let report = Report(connection: connection.id, system: connection.system.rawValue, ok: true, account: account, scopes: scopes,
                                latencyMs: Int(elapsed.seconds * 1000))
            if global.json {
                try Output.json(report)
            } else {
                print("\(connection.id): ok, \(account), \(report.latencyMs) ms")
                print("scopes: \(scopes.isEmpty ? "(not reported)" : scopes.joined(separator: " "))")
            }
        }
    }
}
