import ConnectorKit
import Foundation
import QuickBooks
import Sandbox

/// The QuickBooks Online sandbox, started for the demo or `ml-connector sandbox`.
public struct QuickBooksDemoSandbox: DemoSandbox {
    /// The emulator.
    public let sandbox: QuickBooksSandbox
    public let server: SandboxServer

    /// Starts it on `port` (0: any free one), seeded with a small company: vendors, customers,
    /// classes, departments, expense accounts and two bills.
    @Sendable public static func start(port: Int, samples: Bool) async throws -> any DemoSandbox {
        let (sandbox, server) = try await QuickBooksSandbox.serve(port: port)
        return QuickBooksDemoSandbox(sandbox: sandbox, server: server)
    }

    public var system: SystemKind { .quickbooks }

    public var apiCalls: Int { sandbox.totalRequests }

    public func describe() -> [String: Any] { sandbox.describe(server: server) }

    public func describeLines() -> [String] {
        let credentials = describe()["credentials"] as? [String: String] ?? [:]
        return ["QuickBooks Online sandbox: \(server.baseURL) (admin \(server.baseURL)/_sandbox)",
                "  realm \(sandbox.realmID)",
                "  client id \(credentials["clientId"] ?? ""), client secret \(credentials["clientSecret"] ?? ""), redirect \(credentials["redirectURI"] ?? "")",
                "  access token \(credentials["accessToken"] ?? "")",
                "  refresh token \(credentials["refreshToken"] ?? "")",
                "  webhook verifier token \(credentials["verifierToken"] ?? "")"]
    }

    public func demoConnection(id: String) -> (Connection, Credential) {
        let tokens = sandbox.issueTokens()
        let app = sandbox.configuration
        var connection = Connection(id: id, system: .quickbooks, displayName: "Sandbox Builders LLC (QuickBooks)",
                                    baseURLs: ["api": server.baseURL, "auth": server.baseURL, "token": server.baseURL])
        connection.adopt(AccountChoice(id: sandbox.realmID, name: "Sandbox Builders LLC (QuickBooks)", accountRef: sandbox.realmID, settings: [:]))
        connection[setting: .authStyle] = AuthStyle.oauth
        return (connection, Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: app.clientID,
                                       clientSecret: app.clientSecret, extra: ["verifier_token": app.verifierToken]))
    }
}
