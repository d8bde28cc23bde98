import ConnectorKit
import Foundation
import FreshBooks
import Sandbox

/// The FreshBooks sandbox, started for the demo or `ml-connector sandbox`.
public struct FreshBooksDemoSandbox: DemoSandbox {
    /// The emulator.
    public let sandbox: FreshBooksSandbox
    public let server: SandboxServer

    /// Starts it on `port` (0: any free one); its seed account needs no samples.
    @Sendable public static func start(port: Int, samples: Bool) async throws -> any DemoSandbox {
        let (sandbox, server) = try await FreshBooksSandbox.serve(port: port)
        return FreshBooksDemoSandbox(sandbox: sandbox, server: server)
    }

    public var system: SystemKind { .freshbooks }

    public var apiCalls: Int { sandbox.totalRequests }

    public func describe() -> [String: Any] { sandbox.describe(server: server) }

    public func describeLines() -> [String] {
        let credentials = describe()["credentials"] as? [String: String] ?? [:]
        return ["FreshBooks sandbox: \(server.baseURL) (admin \(server.baseURL)/_sandbox)",
                "  account \(sandbox.accountID), business \(sandbox.businessID)",
                "  client id \(credentials["clientId"] ?? ""), client secret \(credentials["clientSecret"] ?? ""), redirect \(credentials["redirectURI"] ?? "")",
                "  access token \(credentials["accessToken"] ?? "")",
                "  refresh token \(credentials["refreshToken"] ?? "")"]
    }

    public func demoConnection(id: String) -> (Connection, Credential) {
        let tokens = sandbox.issueTokens()
        let app = sandbox.configuration
        var connection = Connection(id: id, system: .freshbooks, displayName: "Sandbox Agency (FreshBooks)", baseURLs: ["api": server.baseURL, "auth": server.baseURL])
        connection.adopt(AccountChoice(id: "\(sandbox.businessID)", name: "Sandbox Agency (FreshBooks)", accountRef: sandbox.accountID,
                                       settings: [SettingKey.accountID.rawValue: sandbox.accountID, SettingKey.businessID.rawValue: "\(sandbox.businessID)"]))
        connection[setting: .rateLimit] = "100/1s"
        connection[setting: .authStyle] = AuthStyle.oauth
        return (connection, Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: app.clientID,
                                       clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]))
    }
}
