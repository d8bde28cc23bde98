import Asana
import ConnectorKit
import Foundation
import Sandbox

/// The Asana sandbox, started for the demo or `ml-connector sandbox`, with one seeded project.
public struct AsanaDemoSandbox: DemoSandbox {
    /// The emulator.
    public let sandbox: AsanaSandbox
    public let server: SandboxServer
    /// The project seeded for people trying the CLI, when asked for samples.
    public let projectGID: String?

    /// Starts it on `port` (0: any free one), with a sample project when `samples`.
    @Sendable public static func start(port: Int, samples: Bool) async throws -> any DemoSandbox {
        let (sandbox, server) = try await AsanaSandbox.serve(port: port)
        return AsanaDemoSandbox(sandbox: sandbox, server: server, projectGID: samples ? sandbox.seedProject(name: "Website redesign") : nil)
    }

    public var system: SystemKind { .asana }

    public var apiCalls: Int { sandbox.requestCounts.values.reduce(0, +) }

    public func describe() -> [String: Any] { sandbox.describe(server: server, projectGID: projectGID ?? "") }

    public func describeLines() -> [String] {
        let described = describe()
        let credentials = described["credentials"] as? [String: String] ?? [:]
        let ids = described["ids"] as? [String: String] ?? [:]
        return ["Asana sandbox: \(described["baseURL"] ?? "") (admin \(server.baseURL)/_sandbox)",
                "  workspace \(ids["workspaceGid"] ?? ""), team \(ids["teamGid"] ?? ""), project \(ids["projectGid"] ?? "")",
                "  personal access token \(credentials["personalAccessToken"] ?? "")"]
    }

    public func demoConnection(id: String) -> (Connection, Credential) {
        var connection = Connection(id: id, system: .asana, baseURLs: ["api": server.baseURL + AsanaSandbox.prefix, "auth": server.baseURL])
        connection.adopt(AccountChoice(id: sandbox.workspaceGID, name: "Sandbox Agency (Asana)", accountRef: sandbox.workspaceGID,
                                       settings: [SettingKey.workspaceGID.rawValue: sandbox.workspaceGID]))
        connection[setting: .rateLimit] = "100/1s"
        connection[setting: .authStyle] = AuthStyle.token
        return (connection, Credential(kind: .apiToken, accessToken: sandbox.personalAccessToken))
    }
}
