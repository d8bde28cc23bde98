import ConnectorKit
import Foundation
import Jira
import Sandbox

/// The Jira sandbox, started for the demo or `ml-connector sandbox`: one site with its project,
/// issue types, users and an amount field already seeded.
public struct JiraDemoSandbox: DemoSandbox {
    /// The emulator.
    public let sandbox: JiraSandbox
    public let server: SandboxServer

    /// Starts it on `port` (0: any free one); the site is seeded either way.
    @Sendable public static func start(port: Int, samples: Bool) async throws -> any DemoSandbox {
        let (sandbox, server) = try await JiraSandbox.serve(port: port)
        return JiraDemoSandbox(sandbox: sandbox, server: server)
    }

    public var system: SystemKind { .jira }

    public var apiCalls: Int { sandbox.requestCounts.values.reduce(0, +) }

    public func describe() -> [String: Any] { sandbox.describe(server: server) }

    public func describeLines() -> [String] {
        let described = describe()
        let credentials = described["credentials"] as? [String: String] ?? [:]
        let ids = described["ids"] as? [String: Any] ?? [:]
        return ["Jira sandbox: \(described["baseURL"] ?? "") (admin \(server.baseURL)/_sandbox)",
                "  cloud id \(ids["cloudId"] ?? ""), project \(ids["projectKey"] ?? "")",
                "  Basic: \(credentials["email"] ?? "") with API token \(credentials["apiToken"] ?? "")"]
    }

    public func demoConnection(id: String) -> (Connection, Credential) {
        var connection = Connection(id: id, system: .jira, baseURLs: ["api": server.baseURL, "auth": server.baseURL, "gateway": server.baseURL])
        connection.adopt(AccountChoice(id: server.baseURL, name: "Sandbox Agency (Jira)", accountRef: server.baseURL,
                                       settings: [SettingKey.jiraSite.rawValue: server.baseURL, SettingKey.jiraProject.rawValue: sandbox.projectKey,
                                                  SettingKey.jiraTimeZone.rawValue: sandbox.configuration.timeZone]))
        connection[setting: .rateLimit] = "100/1s"
        connection[setting: .authStyle] = AuthStyle.token
        return (connection, Credential(kind: .basic, username: sandbox.email, password: sandbox.configuration.apiToken))
    }
}
