import ArgumentParser
import Asana
import ConnectorKit
import Foundation
import FreshBooks
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
            let pipeline = HTTPPipeline(credentials: store)
            let started = ContinuousClock.now
            let account: String
            switch connection.system {
            case .freshbooks:
                let identity = try await FreshBooksAuth(pipeline: pipeline).identity(connection: connection)
                let business = identity.business_memberships.first { "\($0.business.id)" == connection.settings["business_id"] }
                guard let business else {
                    throw CLIFailure(message: "the token no longer reaches business \(connection.settings["business_id"] ?? "?"); connect again")
                }
                account = "\(business.business.name) (account \(business.business.account_id), business \(business.business.id), role \(business.role))"
            case .asana:
                let me = try await AsanaClient(pipeline: pipeline, connection: connection).me()
                let workspace = me.workspaces?.first { $0.gid == connection.settings["workspace_gid"] }
                guard let workspace else { throw CLIFailure(message: "the token no longer reaches workspace \(connection.settings["workspace_gid"] ?? "?"); connect again") }
                account = "\(me.email ?? me.gid) in workspace \(workspace.name ?? workspace.gid) (\(connection.settings["auth"] ?? "pat"))"
            default:
                throw CLIFailure(message: "ping is not available for \(connection.system) in this build")
            }
            let elapsed = ContinuousClock.now - started
            let scopes = try await store.credential(for: connection.id).credential.scopes
            let report = Report(connection: connection.id, system: connection.system.rawValue, ok: true, account: account, scopes: scopes,
                                latencyMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
            if global.json {
                try Output.json(report)
            } else {
                print("\(connection.id): ok, \(account), \(report.latencyMs) ms")
                print("scopes: \(scopes.isEmpty ? "(not reported)" : scopes.joined(separator: " "))")
            }
        }
    }
}
