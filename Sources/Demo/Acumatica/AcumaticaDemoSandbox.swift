import Acumatica
import ConnectorKit
import Foundation
import Sandbox

/// The Acumatica sandbox, started for the demo or `ml-connector sandbox`: one instance with its
/// seeded vendors, employees, bills and purchase order.
public struct AcumaticaDemoSandbox: DemoSandbox {
    /// The emulator.
    public let sandbox: AcumaticaSandbox
    public let server: SandboxServer

    /// Starts it on `port` (0: any free one); the instance is always seeded, as a tenant is.
    @Sendable public static func start(port: Int, samples: Bool) async throws -> any DemoSandbox {
        let (sandbox, server) = try await AcumaticaSandbox.serve(port: port)
        return AcumaticaDemoSandbox(sandbox: sandbox, server: server)
    }

    public var system: SystemKind { .acumatica }

    public var apiCalls: Int { sandbox.requestCounts.values.reduce(0, +) }

    public func describe() -> [String: Any] { sandbox.describe(server: server) }

    public func describeLines() -> [String] {
        let configuration = sandbox.configuration
        return ["Acumatica sandbox: \(server.baseURL)/entity/Default/\(configuration.endpointVersion) (admin \(server.baseURL)/_sandbox)",
                "  tenant \(configuration.tenant), branch \(configuration.branch), user \(configuration.username) / \(configuration.password)",
                "  OAuth client \(configuration.clientID), push header \(configuration.pushHeaderName): \(configuration.pushSecret)"]
    }

    public func demoConnection(id: String) -> (Connection, Credential) {
        let configuration = sandbox.configuration
        var connection = Connection(id: id, system: .acumatica, baseURLs: ["api": server.baseURL])
        connection.adopt(AccountChoice(id: configuration.tenant, name: "\(configuration.tenant) (Acumatica)", accountRef: configuration.tenant,
                                       settings: [SettingKey.acumaticaTenant.rawValue: configuration.tenant, SettingKey.acumaticaBranch.rawValue: configuration.branch,
                                                  SettingKey.endpointVersion.rawValue: configuration.endpointVersion]))
        connection[setting: .rateLimit] = "100/1s"
        connection[setting: .authStyle] = AuthStyle.session
        return (connection, Credential(kind: .session, username: configuration.username, password: configuration.password))
    }
}
