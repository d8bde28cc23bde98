import Acumatica
import ConnectorKit
import Foundation
import Sandbox
import Store
import TestSupport

/// An Acumatica sandbox instance on loopback and a client connected to it by cookie sign-in or
/// OAuth, over a real store.
struct AcumaticaFixture: Sendable {
    let sandbox: AcumaticaSandbox
    let server: SandboxServer
    let store: SQLStore
    let pipeline: HTTPPipeline
    let connection: Connection

    /// A client that polls running actions quickly.
    var client: AcumaticaClient {
        var client = AcumaticaClient(pipeline: pipeline, connection: connection)
        client.actionPollInterval = .milliseconds(10)
        client.actionTimeout = .seconds(5)
        return client
    }

    enum Sign { case cookies, clientCredentials }

    static func start(_ sign: Sign = .cookies, version: String? = nil, configuration: AcumaticaSandbox.Configuration = .init()) async throws -> AcumaticaFixture {
        let (sandbox, server) = try await AcumaticaSandbox.serve(configuration: configuration)
        let store = try await TestDatabase.sqlite.makeStore().store
        var connection = Connection(id: "acu-test", system: .acumatica, baseURLs: ["api": server.baseURL], accountRef: configuration.tenant,
                                    settings: [SettingKey.acumaticaTenant.rawValue: configuration.tenant, SettingKey.acumaticaBranch.rawValue: configuration.branch,
                                               SettingKey.rateLimit.rawValue: "2000/1s"])
        connection[setting: .endpointVersion] = version
        let credential: Credential
        switch sign {
        case .cookies:
            connection[setting: .authStyle] = AuthStyle.session
            credential = Credential(kind: .session, username: configuration.username, password: configuration.password)
        case .clientCredentials:
            connection[setting: .authStyle] = AuthStyle.oauth
            credential = Credential(kind: .clientCredentials, clientID: configuration.clientID, clientSecret: configuration.clientSecret, scopes: ["api"])
        }
        try await store.addConnection(connection, credential: credential)
        return AcumaticaFixture(sandbox: sandbox, server: server, store: store, pipeline: HTTPPipeline(credentials: store), connection: connection)
    }

    func stop() async {
        await server.stop()
        await store.close()
    }
}
