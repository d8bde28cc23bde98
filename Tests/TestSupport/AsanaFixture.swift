import Asana
import ConnectorKit
import Foundation
import Sandbox
import Store

/// An Asana sandbox on loopback and a connected client (PAT or OAuth), over a real store.
public struct AsanaFixture: Sendable {
    public let sandbox: AsanaSandbox
    public let server: SandboxServer
    public let store: SQLStore
    public let pipeline: HTTPPipeline
    public let connection: Connection

    public var client: AsanaClient { AsanaClient(pipeline: pipeline, connection: connection) }

    /// Starts the sandbox; `oauth` connects with an OAuth token (which may use `external`).
    public static func start(oauth: Bool = false, configuration: AsanaSandbox.Configuration = .init()) async throws -> AsanaFixture {
        let (sandbox, server) = try await AsanaSandbox.serve(configuration: configuration)
        let store = try await TestDatabase.sqlite.makeStore().store
        let credential: Credential
        if oauth {
            let tokens = sandbox.issueOAuthTokens()
            let app = sandbox.configuration
            credential = Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: app.clientID, clientSecret: app.clientSecret)
        } else {
            credential = Credential(kind: .apiToken, accessToken: sandbox.personalAccessToken)
        }
        let connection = Connection(id: "asana-test", system: .asana, baseURLs: ["api": server.baseURL + AsanaSandbox.prefix, "auth": server.baseURL],
                                    settings: ["workspace_gid": sandbox.workspaceGID, "auth": oauth ? "oauth" : "pat", "rate_limit": "2000/1s"])
        try await store.addConnection(connection, credential: credential)
        return AsanaFixture(sandbox: sandbox, server: server, store: store, pipeline: HTTPPipeline(credentials: store), connection: connection)
    }

    public func stop() async {
        await server.stop()
        await store.close()
    }

    /// Starts a fixture for `body` and stops it before returning, also when `body` throws.
    public static func with<Value>(
        oauth: Bool = false, configuration: AsanaSandbox.Configuration = .init(),
        isolation: isolated (any Actor)? = #isolation, _ body: (AsanaFixture) async throws -> Value
    ) async throws -> Value {
        try await withStarted({ try await start(oauth: oauth, configuration: configuration) }, stop: { await $0.stop() }, body)
    }
}

extension AsanaSandbox {
    /// Stores a connection `id` to this sandbox, served at `server`, with its personal access
    /// token, as an operator's `connection add asana --token` would; returns the connection.
    public func addPATConnection(id: String, server: SandboxServer, to store: SQLStore) async throws -> Connection {
        let connection = Connection(id: id, system: .asana, baseURLs: ["api": server.baseURL + AsanaSandbox.prefix, "auth": server.baseURL],
                                    settings: ["workspace_gid": workspaceGID, "auth": "pat", "rate_limit": "2000/1s"])
        try await store.addConnection(connection, credential: Credential(kind: .apiToken, accessToken: personalAccessToken))
        return connection
    }
}
